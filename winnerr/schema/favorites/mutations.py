"""Changing favorites: `favoriteDeal`, `unfavoriteDeal`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import favorites
from winnerr.schema.deals.types import Deal
from winnerr.schema.mapping import from_row
from winnerr.schema.types import Info


@strawberry.type
class FavoritesMutation:
    @strawberry.mutation(
        description="Mark a deal as one of your favorites. Favorites are personal bookmarks, so every role may "
        "set them, VIEWER included. Marking a favorite again changes nothing."
    )
    async def favorite_deal(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The deal to mark; NOT_FOUND if it is not in your organization."),
        ],
    ) -> Deal:
        return from_row(Deal, await favorites.favorite_deal(info.context, id))

    @strawberry.mutation(
        description="Remove a deal from your favorites; any role may. Removing one that is not a favorite "
        "changes nothing."
    )
    async def unfavorite_deal(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The deal to unmark; NOT_FOUND if it is not in your organization."),
        ],
    ) -> Deal:
        return from_row(Deal, await favorites.unfavorite_deal(info.context, id))
