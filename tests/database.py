"""The PostgreSQL the tests run against: the server on 127.0.0.1:5432 when one answers, else the embedded
one (pgserver). Each run creates a fresh database of its own and drops it at the end."""

from __future__ import annotations

import asyncio
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from winnerr.db.embedded import start_embedded_postgres
from winnerr.db.engine import session_factory
from winnerr.state import AppState

LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _server_url() -> str:
    if _local_server_answers():
        return LOCAL_SERVER_URL
    return start_embedded_postgres(Path(tempfile.mkdtemp(prefix="winnerr-test-pg-")))


async def _admin(server_url: str, *statements: str) -> None:
    url = make_url(server_url)
    connection = await asyncpg.connect(
        user=url.username,
        password=url.password or None,
        host=url.query.get("host") or url.host,
        port=url.port,
        database=url.database,
    )
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def admin(url: str, *statements: str) -> None:
    """Run statements on the database at `url` as its URL's user, outside any event loop."""
    asyncio.run(_admin(url, *statements))


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database for this run; yield its URL; drop it afterwards."""
    server_url = _server_url()
    name = f"winnerr_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def owner_sessions(state: AppState) -> async_sessionmaker[AsyncSession]:
    """Sessions on the app's own pool as the connecting user (`postgres`, which owns the tables), whom
    row-level security does not bind: for a test that sets up or inspects rows behind the API's back, whatever
    their organization. The app's own sessions (`state.database.sessions`) run as the runtime role."""
    return session_factory(state.database.engine)
