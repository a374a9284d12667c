"""Single read-only statements on a plain asyncpg pool: the compiled read path's statements, in the fewest round trips.

A compiled read is one statement (`winnerr.sqlplan`), so it needs none of a session's machinery. Without a
runtime role it runs alone, as its own transaction: one round trip. With one (`DATABASE_ROLE`), row-level
security must see the role and the organization before the statement is planned, in the same transaction: one
message opens the transaction and sets both (`BEGIN READ ONLY; SELECT set_config('role', …, true), …`), the
statement follows, then `ROLLBACK`: three round trips, against four through a session. Both values are written
into that message as literals, which is safe for exactly these two: the role matches `ROLE_NAME` (checked by the
settings and again here) and the organization is a `uuid.UUID`'s canonical text. Every setting is
transaction-local, as elsewhere (`winnerr.db.engine`): nothing outlives the statement on a pooled connection,
behind PgBouncer in transaction mode or not, so connections go back to the pool without a reset query.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from winnerr.db.engine import ORGANIZATION_SETTING, PoolMode
from winnerr.db.runtime_role import ROLE_NAME

MAX_CONNECTIONS = 10


async def _nothing_to_reset(connection: asyncpg.Connection[Any]) -> None:
    """Connections hold no session state between statements (see the module's docstring)."""


class ReadPool:
    """Runs one statement at a time for an organization, as the runtime role when there is one; the pool opens
    on first use (in the event loop that uses it)."""

    def __init__(self, url: str, *, role: str | None, pool_mode: PoolMode = PoolMode.SESSION) -> None:
        if role is not None and not ROLE_NAME.match(role):
            raise ValueError(f"not a plain role name: {role!r}")
        self.role = role
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool_mode = pool_mode
        self._pool: asyncpg.Pool[Any] | None = None
        self._opening = asyncio.Lock()
        self.listeners: list[Callable[[str], None]] = []
        """Called with each statement's SQL before it runs (as SQLAlchemy's `before_cursor_execute` is)."""

    async def fetchrow(self, sql: str, arguments: Sequence[Any], organization_id: uuid.UUID) -> Any:
        """The statement's first row, run for `organization_id`'s caller."""
        for listener in self.listeners:
            listener(sql)
        pool = self._pool or await self._open()
        async with pool.acquire() as connection:
            if self.role is None:
                return await connection.fetchrow(sql, *arguments)
            await connection.execute(self._opening_message(organization_id))
            try:
                return await connection.fetchrow(sql, *arguments)
            finally:
                await connection.execute("ROLLBACK")

    def _opening_message(self, organization_id: uuid.UUID) -> str:
        organization = str(uuid.UUID(str(organization_id)))  # canonical: hex digits and dashes only
        return (
            f"BEGIN READ ONLY; SELECT set_config('role', '{self.role}', true), "
            f"set_config('{ORGANIZATION_SETTING}', '{organization}', true)"
        )

    async def _open(self) -> asyncpg.Pool[Any]:
        async with self._opening:
            if self._pool is None:
                cache = {} if self._pool_mode is PoolMode.SESSION else {"statement_cache_size": 0}
                self._pool = await asyncpg.create_pool(
                    self._dsn, min_size=1, max_size=MAX_CONNECTIONS, reset=_nothing_to_reset, **cache
                )
            return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
