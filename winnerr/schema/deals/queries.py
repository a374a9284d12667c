"""Reading deals: `deal(id)` and `deals(filter, sort, page, limit)`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import deals
from winnerr.resolvers.joined import chosen
from winnerr.schema.deals.inputs import DealFilter, DealSort
from winnerr.schema.deals.types import Deal
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.selection import selected_names
from winnerr.schema.types import Info


@strawberry.type
class DealsQuery:
    @strawberry.field(description="One deal of your organization; null (with NOT_FOUND) for an unknown id.")
    async def deal(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The deal's id (UUID).")],
    ) -> Deal | None:
        relations = chosen(deals.TO_ONE, selected_names(info))
        return from_row(Deal, await deals.get_deal(info.context, id, relations))

    @strawberry.field(description="Your organization's deals, filtered, sorted and paged (limit 1–100).")
    async def deals(
        self,
        info: Info,
        filter: Annotated[
            DealFilter | None,
            strawberry.argument(description="Conditions every listed deal meets."),
        ] = None,
        sort: Annotated[DealSort | None, strawberry.argument(description="The order; default newest first.")] = None,
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> Page[Deal]:
        order = sort or DealSort()
        result = await deals.list_deals(
            info.context,
            filters=values_of(filter),
            sort=(order.field, order.direction),
            page=page,
            limit=limit,
            relations=chosen(deals.TO_ONE, selected_names(info, "items")),
        )
        return Page.of(result, lambda row: from_row(Deal, row))
