"""Changing deals: `createDeal`, `updateDeal`, `deleteDeal`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import deals
from winnerr.schema.deals.inputs import CreateDealInput, UpdateDealInput
from winnerr.schema.deals.types import Deal
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.types import Info


@strawberry.type
class DealsMutation:
    @strawberry.mutation(description="Open a deal for a person (and optionally a property) of your organization.")
    async def create_deal(
        self,
        info: Info,
        input: Annotated[
            CreateDealInput,
            strawberry.argument(
                description="The new deal's fields; title, dealType, amount and personId are required."
            ),
        ],
    ) -> Deal:
        return from_row(Deal, await deals.create_deal(info.context, values_of(input)))

    @strawberry.mutation(
        description="Change some of a deal's fields (not its stage: see moveDealStage). AGENT and above."
    )
    async def update_deal(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The deal to change; NOT_FOUND if it is not in your organization."),
        ],
        input: Annotated[
            UpdateDealInput,
            strawberry.argument(description="Only the fields given change; null clears an optional one."),
        ],
    ) -> Deal:
        return from_row(Deal, await deals.update_deal(info.context, id, values_of(input)))

    @strawberry.mutation(
        description="Move a deal to another stage of its pipeline: it takes the stage's probability; a WON or "
        "LOST stage closes it and sets actualCloseDate. A stage of another pipeline is VALIDATION_ERROR."
    )
    async def move_deal_stage(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The deal to move; NOT_FOUND if it is not in your organization."),
        ],
        stage_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The stage to move it to, in the deal's own pipeline."),
        ],
    ) -> Deal:
        return from_row(Deal, await deals.move_deal_stage(info.context, id, stage_id))

    @strawberry.mutation(description="Delete a deal; returns its id.")
    async def delete_deal(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The deal to delete; NOT_FOUND if it is not in your organization."),
        ],
    ) -> strawberry.ID:
        return strawberry.ID(str(await deals.delete_deal(info.context, id)))
