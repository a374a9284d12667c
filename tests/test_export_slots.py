"""Concurrent CSV exports: at most `EXPORTS_PER_ORGANIZATION` per organization at once, across instances."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from sqlalchemy import text

from tests.database import owner_sessions
from tests.factories import Tenant
from winnerr.db.scope import TenantScope
from winnerr.errors import RateLimited
from winnerr.export.slots import RETRY_AFTER_SECONDS, take_slot
from winnerr.state import AppState

FILL = """
INSERT INTO people (organization_id, first_name, last_name, address, status)
SELECT :organization, 'First' || n, 'Last' || n, n || ' Main Street, Apt ' || n % 20,
       CASE WHEN n % 101 = 0 THEN 'QUALIFIED' ELSE 'LEAD' END::person_status
FROM generate_series(1, :count) AS n
"""


@asynccontextmanager
async def exporting_elsewhere(app_state: AppState, tenant: Tenant) -> AsyncIterator[int]:
    """An export slot held as another instance's running export holds it: in a transaction of its own."""
    async with app_state.database.sessions() as session:
        yield await take_slot(TenantScope(session, tenant.organization_id), app_state.settings.exports_per_organization)


async def export_status(tenant: Tenant) -> httpx.Response:
    return await tenant.client.get("/export/people.csv", headers=tenant.headers())


async def test_exports_past_the_organizations_limit_are_refused_with_retry_after(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    limit = app_state.settings.exports_per_organization
    async with AsyncExitStack() as running:
        slots = [await running.enter_async_context(exporting_elsewhere(app_state, tenant)) for _ in range(limit)]
        assert sorted(slots) == list(range(limit))
        refused = await export_status(tenant)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        [error] = refused.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert (await export_status(other_tenant)).status_code == 200  # the limit is each organization's
    assert (await export_status(tenant)).status_code == 200


async def test_a_finished_export_gives_its_slot_back(tenant: Tenant, app_state: AppState) -> None:
    async with AsyncExitStack() as running:
        for _ in range(app_state.settings.exports_per_organization - 1):
            await running.enter_async_context(exporting_elsewhere(app_state, tenant))
        for _ in range(3):  # one slot left: each export takes it and gives it back
            assert (await export_status(tenant)).status_code == 200


@asynccontextmanager
async def reading_slowly(host: str, tenant: Tenant) -> AsyncIterator[bytes]:
    """A people export whose client reads its first bytes and then nothing (with a small receive buffer, so
    that the server soon has to wait); it leaves at the end of the block. Yields the bytes read."""
    address, port = host.rsplit(":", 1)
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.setblocking(False)
    await asyncio.get_running_loop().sock_connect(connection, (address, int(port)))
    reader, writer = await asyncio.open_connection(sock=connection)
    authorization = tenant.headers()["Authorization"]
    writer.write(f"GET /export/people.csv HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n\r\n".encode())
    try:
        yield await reader.read(1024)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_client_that_leaves_midway_stops_the_export_and_frees_its_slot(
    tenant: Tenant, app_state: AppState, host: str
) -> None:
    async with owner_sessions(app_state).begin() as session:
        await session.execute(text(FILL), {"organization": tenant.organization_id, "count": 100_000})
    async with httpx.AsyncClient(base_url=f"http://{host}") as client:
        async with reading_slowly(host, tenant) as first, AsyncExitStack() as running:
            assert first.startswith(b"HTTP/1.1 200 OK")
            for _ in range(app_state.settings.exports_per_organization - 1):  # this export holds the last slot
                await running.enter_async_context(exporting_elsewhere(app_state, tenant))
            assert (await client.get("/export/people.csv", headers=tenant.headers())).status_code == 429
        for _ in range(50):  # the server notices the client has gone at its next write
            try:
                async with exporting_elsewhere(app_state, tenant), exporting_elsewhere(app_state, tenant):
                    break
            except RateLimited:  # a slot still taken
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("the abandoned export still holds its slot")
        again = await client.get("/export/people.csv", headers=tenant.headers(), params={"status": "QUALIFIED"})
    assert again.status_code == 200
    rows = list(csv.DictReader(io.StringIO(again.text, newline="")))
    assert len(rows) == 100_000 // 101
    assert all(row["status"] == "QUALIFIED" for row in rows)
