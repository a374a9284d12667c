"""The `Task` type."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from winnerr.db import models
from winnerr.resolvers import tasks
from winnerr.schema.deals.types import Deal
from winnerr.schema.mapping import from_row, mapped
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info
from winnerr.schema.viewer.types import User

T = TypeVar("T")


@mapped(models.Task)
@strawberry.type(description="A follow-up for a member, about a person or a deal.")
class Task:
    id: strawberry.ID = strawberry.field(description="Unique identifier (UUID); pass it to completeTask.")
    title: str = strawberry.field(description="What to do, 1–200 characters.")
    description: str | None = strawberry.field(description="Details, at most 5,000 characters.")
    due_at: datetime | None = strawberry.field(
        description="When it should be done (ISO 8601 with time zone); null for no deadline."
    )
    completed_at: datetime | None = strawberry.field(description="When it was first completed; null while open.")
    created_at: datetime = strawberry.field(description="When it was created (ISO 8601 with time zone).")
    updated_at: datetime = strawberry.field(description="When it last changed (ISO 8601 with time zone).")
    person_id: strawberry.Private[uuid.UUID | None]
    deal_id: strawberry.Private[uuid.UUID | None]
    assignee_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Whether it was completed (completedAt is set).")
    def done(self) -> bool:
        return self.completed_at is not None

    @strawberry.field(description="Not done, and due before now.")
    def is_overdue(self) -> bool:
        return tasks.is_overdue(self.due_at, self.completed_at)

    @strawberry.field(description="The person it is about; null if none.")
    async def person(self, info: Info) -> Person | None:
        return await _related(Person, info.context.loaders.person, self.person_id)

    @strawberry.field(description="The deal it is about; null if none.")
    async def deal(self, info: Info) -> Deal | None:
        return await _related(Deal, info.context.loaders.deal, self.deal_id)

    @strawberry.field(description="The member who should do it; null when nobody is.")
    async def assignee(self, info: Info) -> User | None:
        return await _related(User, info.context.loaders.member, self.assignee_id)


async def _related(cls: type[T], loader: DataLoader[uuid.UUID, Any], key: uuid.UUID | None) -> T | None:
    """The optional related row behind `key`, shown as `cls`."""
    row = None if key is None else await loader.load(key)
    return None if row is None else from_row(cls, row)
