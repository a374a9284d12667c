"""Telling an operator, in one line, that the configured database cannot be reached.

`reaching(url)` wraps work that connects (migrations, the CLI's sessions): a failure to connect (refused, unknown
host, timeout, no such database or role, a refused password) becomes `DatabaseUnreachable`, whose message names
host, port and database, never the password. Every other error passes through unchanged.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_PORT = 5432
CONNECT_FAILURES: tuple[type[BaseException], ...] = (
    ConnectionError,
    socket.gaierror,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.CannotConnectNowError,
)


class DatabaseUnreachable(Exception):
    """The database could not be reached; the message is one line for an operator."""


def address(url: str) -> str:
    """`host:port/database` of a database URL (never its user's password)."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "localhost"
    return f"{host}:{parsed.port or DEFAULT_PORT}/{parsed.database or ''}"


@contextmanager
def reaching(url: str) -> Iterator[None]:
    """Turn a failure to connect to `url` into `DatabaseUnreachable`."""
    try:
        yield
    except Exception as error:
        cause = _connect_failure(error)
        if cause is None:
            raise
        raise DatabaseUnreachable(f"cannot reach the database at {address(url)}: {_reason(cause)}") from None


def _connect_failure(error: BaseException) -> BaseException | None:
    """The connection failure behind `error` (SQLAlchemy wraps the driver's), if that is what it is."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, CONNECT_FAILURES):
            return current
        seen.add(id(current))
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def _reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is PostgreSQL running and DATABASE_URL right?)"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, TimeoutError):
        return "timed out"
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
