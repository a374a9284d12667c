"""Tenant scoping: the one place where reads and writes are bound to the caller's organization.

Every resolver reaches the database through a `TenantScope`; `tenant_filter` is the single predicate that
both these ORM queries and any compiled SQL use. A scope also binds its session's transactions to the
organization (`winnerr.db.engine`), so row-level security, the second lock, holds them to it too.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Result, Select, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db import copy
from winnerr.db.engine import ORGANIZATION_KEY, wrote
from winnerr.db.integrity import integrity_errors

Row = TypeVar("Row")
T = TypeVar("T")


def tenant_filter(model: Any, organization_id: uuid.UUID | ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    """`model.organization_id = :organization_id`: the organization predicate, defined once (the organization is
    a value, or a bound parameter of a statement compiled once)."""
    predicate: ColumnElement[bool] = model.organization_id == organization_id
    return predicate


def tenant_join(target: Any, source: Any, reference: Any) -> ColumnElement[bool]:
    """`source`'s rows joined to the `target` row that `reference` (a column of `source`) points at, by the
    tenant key `(organization_id, id)`: the join reads the target's primary key, and on a sharded database
    it stays on the organization's shard (`winnerr.db.distribution`)."""
    return and_(target.organization_id == source.organization_id, target.id == reference)


def counting(query: Select[Any]) -> Select[int]:
    """How many rows `query` has."""
    return select(func.count()).select_from(query.order_by(None).subquery())


class TenantScope:
    """A session seen through one organization: it cannot read or write another's rows.

    GraphQL resolves sibling fields concurrently while an AsyncSession allows one operation at a time,
    so every statement goes through here and runs alone (`_alone`). When a field fails, graphql-core
    cancels its siblings; a statement cut off halfway makes SQLAlchemy drop the connection under the
    session, so a statement that has started always runs to its end, and `settle` waits for it before
    the unit of work commits or rolls back.
    """

    def __init__(self, session: AsyncSession | Callable[[], AsyncSession], organization_id: uuid.UUID) -> None:
        """`session`, or what makes it on first use: an operation whose reads all go to the read pool
        (`winnerr.db.reads`) never needs one."""
        self.organization_id = organization_id
        self._session: AsyncSession | None = None
        self._sessions = None if isinstance(session, AsyncSession) else session
        if isinstance(session, AsyncSession):
            self._session = self._bound(session)
        self._lock = asyncio.Lock()
        self._settled = False

    def _bound(self, session: AsyncSession) -> AsyncSession:
        if session.in_transaction() and session.info.get(ORGANIZATION_KEY) != self.organization_id:
            raise RuntimeError("The session's transaction is bound to another organization: `set_organization` first")
        session.info[ORGANIZATION_KEY] = self.organization_id
        return session

    @property
    def session(self) -> AsyncSession:
        """The scope's session, made (and bound to the organization) on first use."""
        session = self._session
        if session is None:
            assert self._sessions is not None
            session = self._session = self._bound(self._sessions())
        return session

    @property
    def opened(self) -> bool:
        """Whether the session was made: unless it was, nothing ran on it."""
        return self._session is not None

    @property
    def wrote(self) -> bool:
        """Whether this unit of work's transaction wrote: then its reads must see what it wrote, so they run on
        its session, not on the read pool (`winnerr.db.reads`)."""
        return self._session is not None and wrote(self._session)

    def select(self, model: type[Row]) -> Select[Row]:
        return select(model).where(tenant_filter(model, self.organization_id))

    def where(self, model: Any) -> ColumnElement[bool]:
        return tenant_filter(model, self.organization_id)

    async def _alone(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` on the session while nothing else does, and to its end even if the caller is cancelled
        (it then finishes in the background, and `settle` waits for it). Waiting for the turn stays
        cancellable: work that has not started is dropped."""
        await self._lock.acquire()
        if self._settled:
            self._lock.release()
            raise RuntimeError("This unit of work has finished; its session takes no more statements")
        try:
            task = asyncio.ensure_future(work())
        except BaseException:
            self._lock.release()
            raise
        outcome: asyncio.Future[T] = task.get_loop().create_future()
        task.add_done_callback(partial(self._finished, outcome))
        return await outcome

    def _finished(self, outcome: asyncio.Future[T], task: asyncio.Future[T]) -> None:
        """The end of a turn: the next statement may run, and the caller, unless cancelled meanwhile, gets the
        work's outcome. What `asyncio.shield` does for `_alone`, with the lock's release in the same callback:
        one callback per statement, where a lambda releasing the lock and the shield's own took three."""
        self._lock.release()
        if outcome.cancelled():
            if not task.cancelled():
                task.exception()  # retrieved: nobody waits for it any more
            return
        if task.cancelled():
            outcome.cancel()
        elif (error := task.exception()) is not None:
            outcome.set_exception(error)
        else:
            outcome.set_result(task.result())

    def in_turn(self, work: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """Run `work`, a statement on a connection of its own (the read pool's, `winnerr.db.reads`), in this
        scope's turn, as the session's statements run: one after the other, in the order the fields asked, so
        an operation's answers and errors come in the same order whichever connection reads them. (The turn's
        coroutine itself, awaited by the caller: one coroutine fewer per read.)"""
        return self._alone(work)

    async def settle(self) -> None:
        """Wait for the statement in flight, if any, and take no more: the session may then end."""
        async with self._lock:
            self._settled = True

    async def rows(self, query: Select[Row]) -> list[Row]:
        async def work() -> list[Row]:
            return list((await self.session.execute(query)).scalars())

        return await self._alone(work)

    async def first(self, query: Select[Row]) -> Row | None:
        async def work() -> Row | None:
            return (await self.session.execute(query.limit(1))).scalars().first()

        return await self._alone(work)

    async def execute(self, statement: Executable) -> Result[Any]:
        """Run any statement (an upsert, an aggregate); constraint violations become domain errors."""

        async def work() -> Result[Any]:
            with integrity_errors():
                return await self.session.execute(statement)

        return await self._alone(work)

    async def find(self, model: type[Row], row_id: uuid.UUID | None) -> Row | None:
        """The row with this id in this organization, or None (an unknown id and another's look the same)."""
        if row_id is None:
            return None
        return await self.first(self.select(model).where(model.id == row_id))  # type: ignore[attr-defined]

    async def find_many(self, model: type[Row], row_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
        rows = await self.rows(self.select(model).where(model.id.in_(row_ids)))  # type: ignore[attr-defined]
        return {row.id: row for row in rows}  # type: ignore[attr-defined]

    async def count(self, query: Select[Any]) -> int:
        total = await self._alone(lambda: self.session.scalar(counting(query)))
        return int(total or 0)

    async def principal_row(self, model: type[Row], key: uuid.UUID) -> Row:
        """A row that is not a tenant's (the caller's user or organization), by the principal's own key."""
        return await self._alone(lambda: self.session.get_one(model, key))

    def add(self, row: Row) -> Row:
        row.organization_id = self.organization_id  # type: ignore[attr-defined]
        self.session.add(row)
        return row

    async def delete(self, model: type[Row], row_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """Delete the organization's rows among `row_ids`; return the ids actually deleted."""
        statement = (
            delete(model)
            .where(self.where(model), model.id.in_(row_ids))  # type: ignore[attr-defined]
            .returning(model.id)  # type: ignore[attr-defined]
        )
        return list((await self.execute(statement)).scalars())

    async def copy_out(self, query: Select[Any], **options: Any) -> AsyncGenerator[bytes]:
        """`COPY (query) TO STDOUT WITH (options)` on this unit of work's connection and in its transaction, so
        whatever the session sets up for its statements holds for the COPY too (`winnerr.db.copy`).

        The transaction begins with the unit of work's first statement, so a COPY cannot be that first one.
        Like every statement it runs alone; unlike them, it stops when its reader stops."""
        async with self._lock:
            connection = await self.session.connection()
            driver = (await connection.get_raw_connection()).driver_connection
            if driver is None or not driver.is_in_transaction():
                raise RuntimeError("A COPY runs in the transaction of an earlier statement of its unit of work")
            async for chunk in copy.copy_out(driver, query, connection.dialect, **options):
                yield chunk

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Run the block in a SAVEPOINT: if it fails, only its own writes are undone."""
        nested = await self._alone(self.session.begin_nested)
        try:
            yield
        except BaseException:
            await self._alone(nested.rollback)
            raise
        await self._alone(nested.commit)

    async def save(self, row: Row) -> Row:
        """Write pending changes (constraint violations become domain errors) and reload `row`."""

        async def work() -> Row:
            with integrity_errors():
                await self.session.flush()
            await self.session.refresh(row)
            return row

        return await self._alone(work)
