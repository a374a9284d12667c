"""Reading properties: `property(id)` and `properties(search)`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import properties
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.properties.inputs import PropertySearchInput
from winnerr.schema.properties.types import Property
from winnerr.schema.types import Info


@strawberry.type
class PropertiesQuery:
    @strawberry.field(description="One property of your organization; null (with NOT_FOUND) for an unknown id.")
    async def property(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The property's id (UUID).")],
    ) -> Property | None:
        return from_row(Property, await properties.get_property(info.context, id))

    @strawberry.field(description="Search your organization's properties.")
    async def properties(
        self,
        info: Info,
        search: Annotated[
            PropertySearchInput | None,
            strawberry.argument(description="Filters, order and page; null lists every property, newest first."),
        ] = None,
    ) -> Page[Property]:
        result = await properties.search_properties(info.context, values_of(search))
        return Page.of(result, lambda row: from_row(Property, row))
