"""Create, read, update and delete of one tenant record: the steps every domain shares.

Each step checks the permission first; every read goes through the caller's `TenantScope`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import EventType
from winnerr.errors import NotFound
from winnerr.resolvers.joined import ToOne, read_by_id
from winnerr.resolvers.validation import changes, parse_id, validate

Row = TypeVar("Row")


async def fetch(ctx: Context, model: type[Row], row_id: str | uuid.UUID | None, entity: str) -> Row:
    """The organization's row with this id, or NOT_FOUND (an unknown id and another's alike)."""
    key = row_id if isinstance(row_id, uuid.UUID) or row_id is None else parse_id(row_id, entity)
    row = await ctx.scope.find(model, key)
    if row is None:
        raise NotFound(entity)
    return row


async def read(ctx: Context, model: type[Row], row_id: str, entity: str) -> Row:
    ctx.principal.require(Permission.READ)
    return await fetch(ctx, model, row_id, entity)


async def read_joined(ctx: Context, model: type[Any], row_id: str, entity: str, relations: Sequence[ToOne]) -> Any:
    """As `read`, in one read-only statement with the rows `relations` point at: the row is its `Columns`
    (`winnerr.resolvers.joined.read_by_id`)."""
    ctx.principal.require(Permission.READ)
    row = await read_by_id(ctx, model, parse_id(row_id, entity), relations)
    if row is None:
        raise NotFound(entity)
    return row


async def create(ctx: Context, model: type[Row], values: dict[str, Any], *, announce: EventType | None = None) -> Row:
    """Insert a row; with `announce`, clients are told when the transaction commits."""
    row = await ctx.scope.save(ctx.scope.add(model(**values)))
    _announce(ctx, announce, row)
    return row


async def create_valid(ctx: Context, model: type[Row], rules: type[BaseModel], data: dict[str, Any]) -> Row:
    """Check WRITE, validate `data` against `rules` and insert the row."""
    ctx.principal.require(Permission.WRITE)
    return await create(ctx, model, validate(rules, data).model_dump())


async def update_valid(
    ctx: Context, model: type[Row], rules: type[BaseModel], row_id: str, data: dict[str, Any], entity: str
) -> Row:
    """Check WRITE, validate the changes against `rules`, then apply them to the organization's row."""
    ctx.principal.require(Permission.WRITE)
    patch = validate(rules, data)
    return await update(ctx, await fetch(ctx, model, row_id, entity), patch)


async def update(
    ctx: Context, row: Row, patch: BaseModel | dict[str, Any], *, announce: EventType | None = None
) -> Row:
    for name, value in (changes(patch) if isinstance(patch, BaseModel) else patch).items():
        setattr(row, name, value)
    saved = await ctx.scope.save(row)
    _announce(ctx, announce, saved)
    return saved


async def delete(
    ctx: Context, model: type[Row], row_id: str, entity: str, *, announce: EventType | None = None
) -> uuid.UUID:
    ctx.principal.require(Permission.DELETE)
    deleted = await ctx.scope.delete(model, [parse_id(row_id, entity)])
    if not deleted:
        raise NotFound(entity)
    if announce is not None:
        ctx.record(announce, deleted[0])
    return deleted[0]


def _announce(ctx: Context, event: EventType | None, row: Any) -> None:
    if event is not None:
        ctx.record(event, row.id)
