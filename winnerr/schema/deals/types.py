"""The `Deal` type."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import strawberry

from winnerr.db import models
from winnerr.resolvers import favorites
from winnerr.schema.enums import DealStatus, DealType
from winnerr.schema.mapping import from_row, key_of, mapped
from winnerr.schema.people.types import Person
from winnerr.schema.pipelines.types import Pipeline, PipelineStage
from winnerr.schema.properties.types import Property
from winnerr.schema.types import Info


@mapped(models.Deal)
@strawberry.type(description="A listing, purchase or rental moving through a pipeline.")
class Deal:
    id: strawberry.ID
    title: str
    description: str | None
    deal_type: DealType
    amount: Decimal
    commission: Decimal | None
    commission_rate: Decimal | None = strawberry.field(description="Percent, 0–100.")
    status: DealStatus
    probability: int = strawberry.field(description="Percent chance of closing, 0–100.")
    expected_close_date: date | None
    actual_close_date: date | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    person_id: strawberry.Private[uuid.UUID]
    property_id: strawberry.Private[uuid.UUID | None]
    pipeline_id: strawberry.Private[uuid.UUID]
    stage_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def person(self, info: Info) -> Person:
        return from_row(Person, await info.context.loaders.person.load(self.person_id))

    @strawberry.field
    async def property(self, info: Info) -> Property | None:
        if self.property_id is None:
            return None
        row = await info.context.loaders.property.load(self.property_id)
        return None if row is None else from_row(Property, row)

    @strawberry.field
    async def stage(self, info: Info) -> PipelineStage:
        return from_row(PipelineStage, await info.context.loaders.stage.load(self.stage_id))

    @strawberry.field
    async def pipeline(self, info: Info) -> Pipeline:
        return from_row(Pipeline, await info.context.loaders.pipeline.load(self.pipeline_id))

    @strawberry.field(description="Whether you (the caller) marked this deal as a favorite; favorites are per member.")
    async def is_favorite(self, info: Info) -> bool:
        return await favorites.is_favorite(info.context, key_of(self.id))
