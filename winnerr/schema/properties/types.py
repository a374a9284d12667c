"""The `Property` type."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from winnerr.db import models
from winnerr.resolvers.loaders import PROPERTY_DEALS
from winnerr.resolvers.pagination import page_of_relation
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.enums import PropertyStatus, PropertyType
from winnerr.schema.mapping import from_row, key_of, mapped
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info

if TYPE_CHECKING:
    from winnerr.schema.deals.types import Deal


@mapped(models.Property)
@strawberry.type(description="A home the organization lists, shows or sells.")
class Property:
    id: strawberry.ID
    address: str
    city: str
    state: str
    zip_code: str
    property_type: PropertyType
    status: PropertyStatus
    price: Decimal
    bedrooms: int | None
    bathrooms: Decimal | None
    square_feet: int | None
    mls_number: str | None
    description: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Deals about this property, newest first, paged (limit 1–100).")
    async def deals(
        self, info: Info, page: PageNumber = 1, limit: PageLimit = 20
    ) -> Page[Annotated[Deal, strawberry.lazy("winnerr.schema.deals.types")]]:
        from winnerr.schema.deals.types import Deal

        result = await page_of_relation(info.context.loaders, PROPERTY_DEALS, key_of(self.id), page, limit)
        return Page.of(result, lambda row: from_row(Deal, row))
