"""Tenant scoping: the one place where reads and writes are bound to the caller's organization.

Every resolver reaches the database through a `TenantScope`; `tenant_filter` is the single predicate that
both these ORM queries and any compiled SQL use.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Result, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db.integrity import integrity_errors

Row = TypeVar("Row")


def tenant_filter(model: Any, organization_id: uuid.UUID) -> ColumnElement[bool]:
    """`model.organization_id = :organization_id`: the organization predicate, defined once."""
    predicate: ColumnElement[bool] = model.organization_id == organization_id
    return predicate


class TenantScope:
    """A session seen through one organization: it cannot read or write another's rows.

    GraphQL resolves sibling fields concurrently while an AsyncSession allows one operation at a time,
    so every statement goes through here and takes the scope's lock.
    """

    def __init__(self, session: AsyncSession, organization_id: uuid.UUID) -> None:
        self.session = session
        self.organization_id = organization_id
        self._lock = asyncio.Lock()

    def select(self, model: type[Row]) -> Select[Row]:
        return select(model).where(tenant_filter(model, self.organization_id))

    def where(self, model: Any) -> ColumnElement[bool]:
        return tenant_filter(model, self.organization_id)

    async def rows(self, query: Select[Row]) -> list[Row]:
        async with self._lock:
            return list((await self.session.execute(query)).scalars())

    async def first(self, query: Select[Row]) -> Row | None:
        async with self._lock:
            return (await self.session.execute(query.limit(1))).scalars().first()

    async def execute(self, statement: Executable) -> Result[Any]:
        """Run any statement (an upsert, an aggregate); constraint violations become domain errors."""
        async with self._lock:
            with integrity_errors():
                return await self.session.execute(statement)

    async def find(self, model: type[Row], row_id: uuid.UUID | None) -> Row | None:
        """The row with this id in this organization, or None (an unknown id and another's look the same)."""
        if row_id is None:
            return None
        return await self.first(self.select(model).where(model.id == row_id))  # type: ignore[attr-defined]

    async def find_many(self, model: type[Row], row_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
        rows = await self.rows(self.select(model).where(model.id.in_(row_ids)))  # type: ignore[attr-defined]
        return {row.id: row for row in rows}  # type: ignore[attr-defined]

    async def count(self, query: Select[Any]) -> int:
        async with self._lock:
            total = await self.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        return int(total or 0)

    async def principal_row(self, model: type[Row], key: uuid.UUID) -> Row:
        """A row that is not a tenant's (the caller's user or organization), by the principal's own key."""
        async with self._lock:
            return await self.session.get_one(model, key)

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
        async with self._lock:
            with integrity_errors():
                return list((await self.session.execute(statement)).scalars())

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Run the block in a SAVEPOINT: if it fails, only its own writes are undone."""
        async with self._lock:
            nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            async with self._lock:
                await nested.rollback()
            raise
        async with self._lock:
            await nested.commit()

    async def save(self, row: Row) -> Row:
        """Write pending changes (constraint violations become domain errors) and reload `row`."""
        async with self._lock:
            with integrity_errors():
                await self.session.flush()
            await self.session.refresh(row)
        return row
