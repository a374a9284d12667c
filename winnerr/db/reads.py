"""Single read-only statements on a plain asyncpg pool, in the fewest round trips: the compiled read path's
statements, and the resolvers' reads of a row by id and of a list's page and count (`winnerr.resolvers.joined`).

A compiled read is one statement (`winnerr.sqlplan`), and so is each of those reads, so they need none of a
session's machinery. Without a
runtime role it runs alone, as its own transaction: one round trip. With one (`DATABASE_ROLE`), row-level
security must see the role and the organization when the statement runs:

- Connected directly (`DATABASE_POOL_MODE=session`), each of this pool's connections is its own: it takes the
  role and read-only transactions for its whole session when it opens, and remembers which organization its
  session is bound to (`ReadConnection`). A statement for that organization runs alone, in one round trip; for
  another, `set_config` binds the session to it first. The binding is forgotten before it is changed and learned
  only once PostgreSQL confirmed it, so a cancelled or failed change leaves a connection that binds again next
  time. No other code runs on these connections.
- Through a pooler in transaction mode, consecutive transactions may run on other server connections, so nothing
  may outlive one: one message opens the transaction and sets both (`BEGIN READ ONLY; SELECT set_config('role', …,
  true), …`), the statement follows, then `ROLLBACK`: three round trips.

Both values are written into SQL as literals, which is safe for exactly these two: the role matches `ROLE_NAME`
(checked by the settings and again here) and the organization is a `uuid.UUID`'s canonical text. Connections go
back to the pool without a reset query: nothing but the role and that binding is ever set on them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from winnerr.db.engine import ORGANIZATION_SETTING, PoolMode
from winnerr.db.runtime_role import ROLE_NAME

MAX_CONNECTIONS = 10

Read = Callable[["asyncpg.Connection[Any]", str, Sequence[Any]], Awaitable[Any]]
"""What a statement's caller takes of its result (its first row, or all of them)."""


def _first_row(connection: asyncpg.Connection[Any], sql: str, arguments: Sequence[Any]) -> Any:
    return connection.fetchrow(sql, *arguments)


def _every_row(connection: asyncpg.Connection[Any], sql: str, arguments: Sequence[Any]) -> Any:
    return connection.fetch(sql, *arguments)


async def _nothing_to_reset(connection: asyncpg.Connection[Any]) -> None:
    """Connections hold no session state but the role and their organization (see the module's docstring)."""


class ReadConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg's classes are untyped
    """A read pool's connection that remembers the organization its session is bound to."""

    bound_to: uuid.UUID | None = None

    async def bind(self, organization_id: uuid.UUID) -> None:
        """Bind the session to `organization_id`, unless it already is (then with no round trip)."""
        if self.bound_to == organization_id:
            return
        self.bound_to = None
        await self.execute(f"SELECT set_config('{ORGANIZATION_SETTING}', '{_canonical(organization_id)}', false)")
        self.bound_to = organization_id


def _canonical(organization_id: uuid.UUID) -> str:
    """A UUID's canonical text: hex digits and dashes only."""
    return str(uuid.UUID(str(organization_id)))


class ReadPool:
    """Runs one statement at a time for an organization, as the runtime role when there is one; the pool opens
    on first use (in the event loop that uses it)."""

    def __init__(
        self, url: str, *, role: str | None, pool_mode: PoolMode = PoolMode.SESSION, size: int = MAX_CONNECTIONS
    ) -> None:
        if role is not None and not ROLE_NAME.match(role):
            raise ValueError(f"not a plain role name: {role!r}")
        self.role = role
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool_mode = pool_mode
        self._size = size
        self._pool: asyncpg.Pool[Any] | None = None
        self._opening = asyncio.Lock()
        self.listeners: list[Callable[[str], None]] = []
        """Called with each statement's SQL before it runs (as SQLAlchemy's `before_cursor_execute` is)."""

    def fetchrow(self, sql: str, arguments: Sequence[Any], organization_id: uuid.UUID) -> Awaitable[Any]:
        """The statement's first row, run for `organization_id`'s caller (`_run`'s coroutine, to await)."""
        return self._run(_first_row, sql, arguments, organization_id)

    async def fetch(self, sql: str, arguments: Sequence[Any], organization_id: uuid.UUID) -> list[Any]:
        """The statement's rows, run for `organization_id`'s caller."""
        rows: list[Any] = await self._run(_every_row, sql, arguments, organization_id)
        return rows

    async def _run(self, read: Read, sql: str, arguments: Sequence[Any], organization_id: uuid.UUID) -> Any:
        for listener in self.listeners:
            listener(sql)
        pool = self._pool or await self._open()
        async with pool.acquire() as connection:
            if self.role is None:
                return await read(connection, sql, arguments)
            if self._pool_mode is PoolMode.SESSION:
                await connection.bind(organization_id)
                return await read(connection, sql, arguments)
            await connection.execute(self._opening_message(organization_id))
            try:
                return await read(connection, sql, arguments)
            finally:
                await connection.execute("ROLLBACK")

    def _opening_message(self, organization_id: uuid.UUID) -> str:
        return (
            f"BEGIN READ ONLY; SELECT set_config('role', '{self.role}', true), "
            f"set_config('{ORGANIZATION_SETTING}', '{_canonical(organization_id)}', true)"
        )

    async def _own_session(self, connection: asyncpg.Connection[Any]) -> None:
        """A new direct connection's session: the runtime role, and only read-only transactions."""
        await connection.execute(f"SET ROLE {self.role}; SET default_transaction_read_only = on")

    async def _open(self) -> asyncpg.Pool[Any]:
        async with self._opening:
            if self._pool is None:
                session = self._pool_mode is PoolMode.SESSION
                options: dict[str, Any] = {"connection_class": ReadConnection}
                if not session:
                    options = {"statement_cache_size": 0}
                elif self.role is not None:
                    options["init"] = self._own_session
                self._pool = await asyncpg.create_pool(
                    self._dsn, min_size=1, max_size=self._size, reset=_nothing_to_reset, **options
                )
            return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
