"""Subscriptions outlive their infrastructure: a Redis restart and a failing database connection are caught
up from the events table, and the subscription goes on, without an error and without `complete`."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.factories import Tenant
from tests.live import GraphQLSocket, free_port, served
from tests.test_live import DEAL_UPDATED, EVENTS, UPDATE_DEAL, new_deal, now, rename
from winnerr.db.enums import Role
from winnerr.settings import Settings
from winnerr.state import AppState


@pytest.fixture(scope="session")
def redis_server_binary() -> str:
    """The `redis-server` binary, installed (we run as root on CI machines) when it is missing."""
    if shutil.which("redis-server") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True, capture_output=True)
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server could not be installed"
    return binary


class PrivateRedis:
    """A redis-server of this test's own on a fixed free port, which the test may stop and start again."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        arguments = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = await asyncio.create_subprocess_exec(
            *arguments, "--dir", str(self.directory), stdout=asyncio.subprocess.DEVNULL
        )
        while await self._refused():
            assert self.process.returncode is None, "redis-server exited"
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Kill it, as a crash or a restart would: its subscribers' connections drop."""
        if self.process is not None:
            self.process.kill()
            await self.process.wait()
            self.process = None

    async def _refused(self) -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return True
        writer.close()
        await writer.wait_closed()
        return False


@pytest.fixture
async def private_redis(redis_server_binary: str, tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    server = PrivateRedis(redis_server_binary, tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_subscribers_catch_up_and_go_on_after_redis_restarts(
    tenant: Tenant, settings: Settings, private_redis: PrivateRedis
) -> None:
    deal_id = await new_deal(tenant)
    with_redis = settings.model_copy(update={"broadcast_url": private_redis.url})
    async with served(with_redis) as host, GraphQLSocket.open(host, tenant.token(Role.VIEWER)) as socket:

        async def rename(deal_id: str, title: str) -> None:  # through this instance, which publishes to Redis
            async with httpx.AsyncClient(base_url=f"http://{host}", headers=tenant.headers()) as client:
                variables = {"id": deal_id, "input": {"title": title}}
                response = await client.post("/graphql", json={"query": UPDATE_DEAL, "variables": variables})
                assert "errors" not in response.json(), response.json()

        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        await rename(deal_id, "Before the restart")
        assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == "Before the restart"

        await private_redis.stop()
        await rename(deal_id, "Said while Redis was down")
        await private_redis.start()

        missed = (await socket.next_data(operation, wait=20))["dealUpdated"]
        assert missed["deal"]["title"] == "Said while Redis was down"
        await rename(deal_id, "Said after the restart")
        assert (await socket.next_data(operation, wait=10))["dealUpdated"]["deal"]["title"] == "Said after the restart"

        async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as newcomer:
            fresh = await newcomer.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
            await rename(deal_id, "Heard by old and new sockets")
            for listener, listening in ((socket, operation), (newcomer, fresh)):
                event = (await listener.next_data(listening, wait=10))["dealUpdated"]
                assert event["deal"]["title"] == "Heard by old and new sockets"


@asynccontextmanager
async def events_locked(state: AppState) -> AsyncIterator[None]:
    """Hold the events table locked: the app's statements on it wait, until the block ends."""
    async with state.database.engine.connect() as connection:
        await connection.execute(text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
        yield
        await connection.rollback()


async def terminate_waiting_statements(state: AppState) -> int:
    """Kill the app's connections whose statement is waiting on a lock, as a database failover would."""
    query = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    while True:
        async with state.database.engine.connect() as connection:
            killed = int(await connection.scalar(query) or 0)
        if killed:
            return killed
        await asyncio.sleep(0.05)


def sequences_of(events: list[dict[str, int]]) -> Iterator[int]:
    return (event["sequence"] for event in events)


async def test_a_failing_database_connection_does_not_end_the_subscription(
    tenant: Tenant, host: str, app_state: AppState
) -> None:
    deal_id = await new_deal(tenant)
    start = await now(tenant)
    for n in range(3):
        await rename(tenant, deal_id, f"Before {n}")
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        async with events_locked(app_state):
            operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": start})
            assert await terminate_waiting_statements(app_state) >= 1  # the replay's read of the events table
        for n in range(3):
            await rename(tenant, deal_id, f"After {n}")
        received = []
        for _ in range(6):
            message = await socket.next_message(operation, wait=10)
            assert message["type"] in ("next", "data"), message
            assert "errors" not in message["payload"], message
            received.append(message["payload"]["data"]["dealUpdated"])
        stored = (await tenant.gql(EVENTS, {"entityId": deal_id, "after": start}))["events"]["items"]
        assert [event["sequence"] for event in received] == list(sequences_of(stored))
        assert received[-1]["deal"]["title"] == "After 2"
        assert await socket.nothing_for(operation, 0.3)
