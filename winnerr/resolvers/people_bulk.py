"""Bulk changes to people: up to 500 rows in one transaction, each row's outcome reported.

A bad row rejects only itself: every row runs in its own SAVEPOINT inside the mutation's transaction, so
the good rows are applied together and the bad ones leave nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.models import Person
from winnerr.errors import DomainError, ErrorCode, Issue, ValidationFailed
from winnerr.resolvers import people, records

MAX_ROWS = 500
Item = TypeVar("Item")


class RowStatus(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    index: int
    status: RowStatus
    id: uuid.UUID | None = None
    person: Person | None = None
    code: ErrorCode | None = None
    issues: list[Issue] = field(default_factory=list)


async def bulk_create_people(ctx: Context, rows: Sequence[dict[str, Any]]) -> list[RowOutcome]:
    ctx.principal.require(Permission.WRITE)

    async def create(index: int, data: dict[str, Any]) -> RowOutcome:
        person = await people.create_person(ctx, data)
        return RowOutcome(index, RowStatus.CREATED, person.id, person)

    return await _each(ctx, rows, create)


async def bulk_update_people(ctx: Context, rows: Sequence[tuple[str, dict[str, Any]]]) -> list[RowOutcome]:
    ctx.principal.require(Permission.WRITE)

    async def update(index: int, row: tuple[str, dict[str, Any]]) -> RowOutcome:
        person = await people.update_person(ctx, *row)
        return RowOutcome(index, RowStatus.UPDATED, person.id, person)

    return await _each(ctx, rows, update)


async def bulk_delete_people(ctx: Context, ids: Sequence[str]) -> list[RowOutcome]:
    ctx.principal.require(Permission.DELETE)

    async def delete(index: int, person_id: str) -> RowOutcome:
        deleted = await records.delete(ctx, Person, person_id, people.ENTITY)
        return RowOutcome(index, RowStatus.DELETED, deleted)

    return await _each(ctx, ids, delete)


async def _each(
    ctx: Context, items: Sequence[Item], apply: Callable[[int, Item], Awaitable[RowOutcome]]
) -> list[RowOutcome]:
    """Apply every row in a savepoint of its own; a failed row is reported and undone alone."""
    if not 1 <= len(items) <= MAX_ROWS:
        raise ValidationFailed([Issue(["rows"], f"must hold 1 to {MAX_ROWS} rows, not {len(items)}")])
    outcomes: list[RowOutcome] = []
    for index, item in enumerate(items):
        try:
            async with ctx.scope.savepoint():
                outcomes.append(await apply(index, item))
        except ValidationFailed as error:
            issues = [Issue([index, *issue.path[1:]], issue.message) for issue in error.issues]
            outcomes.append(RowOutcome(index, RowStatus.FAILED, code=error.code, issues=issues))
        except DomainError as error:
            outcome = RowOutcome(index, RowStatus.FAILED, code=error.code, issues=[Issue([index], error.message)])
            outcomes.append(outcome)
    return outcomes
