"""Reading favorites: `favoriteDeals`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import favorites
from winnerr.schema.deals.types import Deal
from winnerr.schema.mapping import from_rows
from winnerr.schema.types import Info


@strawberry.type
class FavoritesQuery:
    @strawberry.field(description="The deals you marked as favorites (yours only), the most recently marked first.")
    async def favorite_deals(self, info: Info) -> list[Deal]:
        return from_rows(Deal, await favorites.favorite_deals(info.context))
