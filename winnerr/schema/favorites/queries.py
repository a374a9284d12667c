"""Reading favorites: `favoriteDeals`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import favorites
from winnerr.schema.deals.types import Deal
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info


@strawberry.type
class FavoritesQuery:
    @strawberry.field(
        description="The deals you marked as favorites (yours only), the most recently marked first. Paged "
        "(limit 1–100)."
    )
    async def favorite_deals(self, info: Info, page: PageNumber = 1, limit: PageLimit = 20) -> Page[Deal]:
        result = await favorites.favorite_deals(info.context, page, limit)
        return Page.of(result, lambda row: from_row(Deal, row))
