"""The `Deal` type."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import date, datetime
from decimal import Decimal

import strawberry

from winnerr.db import models
from winnerr.resolvers import favorites
from winnerr.resolvers.deals import TO_ONE
from winnerr.resolvers.joined import known
from winnerr.schema.deals.inputs import DEAL_FIELDS
from winnerr.schema.enums import DealStatus, DealType
from winnerr.schema.mapping import key_of, mapped, shown, shown_or_none
from winnerr.schema.people.types import Person
from winnerr.schema.pipelines.types import Pipeline, PipelineStage
from winnerr.schema.properties.types import Property
from winnerr.schema.types import Info


@mapped(models.Deal)
@strawberry.type(description="A listing, purchase or rental moving through a pipeline.")
class Deal:
    id: strawberry.ID = strawberry.field(
        description="Unique identifier (UUID); pass it to deal(id), updateDeal, moveDealStage and favoriteDeal."
    )
    title: str = strawberry.field(description=DEAL_FIELDS["title"])
    description: str | None = strawberry.field(description=DEAL_FIELDS["description"])
    deal_type: DealType = strawberry.field(description=DEAL_FIELDS["deal_type"])
    amount: Decimal = strawberry.field(
        description="The deal's value, in the organization's currency, as a decimal string like \"500000.00\"."
    )
    commission: Decimal | None = strawberry.field(
        description="The brokerage's fee, in the organization's currency, as a decimal string; null if unknown."
    )
    commission_rate: Decimal | None = strawberry.field(description="Percent, 0–100.")
    status: DealStatus = strawberry.field(description="OPEN while worked; WON or LOST once moved to a closing stage.")
    probability: int = strawberry.field(description="Percent chance of closing, 0–100.")
    expected_close_date: date | None = strawberry.field(
        description="The day it is expected to close (YYYY-MM-DD); null if not set."
    )
    actual_close_date: date | None = strawberry.field(
        description="The day it closed as WON or LOST (YYYY-MM-DD); null while OPEN."
    )
    tags: list[str] = strawberry.field(description=DEAL_FIELDS["tags"])
    created_at: datetime = strawberry.field(description="When the deal was created (ISO 8601 with time zone).")
    updated_at: datetime = strawberry.field(
        description="When any of its fields or its stage last changed (ISO 8601 with time zone)."
    )
    person_id: strawberry.Private[uuid.UUID]
    property_id: strawberry.Private[uuid.UUID | None]
    pipeline_id: strawberry.Private[uuid.UUID]
    stage_id: strawberry.Private[uuid.UUID]

    # The four to-one relations resolve synchronously when the deal's statement read them too
    # (`winnerr.resolvers.joined`): no coroutine per field, which is most of a list's cost otherwise.
    @strawberry.field(description="The client the deal is for.", graphql_type=Person)
    def person(self, info: Info) -> Person | Awaitable[Person]:
        return shown(Person, known(info.context.loaders, TO_ONE["person"], self.person_id))

    @strawberry.field(description="The home it is about; null if none.", graphql_type=Property | None)
    def property(self, info: Info) -> Property | Awaitable[Property | None] | None:
        if self.property_id is None:
            return None
        return shown_or_none(Property, known(info.context.loaders, TO_ONE["property"], self.property_id))

    @strawberry.field(description="The pipeline stage it is in now.", graphql_type=PipelineStage)
    def stage(self, info: Info) -> PipelineStage | Awaitable[PipelineStage]:
        return shown(PipelineStage, known(info.context.loaders, TO_ONE["stage"], self.stage_id))

    @strawberry.field(description="The pipeline its stage belongs to.", graphql_type=Pipeline)
    def pipeline(self, info: Info) -> Pipeline | Awaitable[Pipeline]:
        return shown(Pipeline, known(info.context.loaders, TO_ONE["pipeline"], self.pipeline_id))

    @strawberry.field(description="Whether you (the caller) marked this deal as a favorite; favorites are per member.")
    async def is_favorite(self, info: Info) -> bool:
        return await favorites.is_favorite(info.context, key_of(self.id))
