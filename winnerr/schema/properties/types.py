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
from winnerr.schema.properties.inputs import PROPERTY_FIELDS
from winnerr.schema.types import Info

if TYPE_CHECKING:
    from winnerr.schema.deals.types import Deal


@mapped(models.Property)
@strawberry.type(description="A home the organization lists, shows or sells.")
class Property:
    id: strawberry.ID = strawberry.field(
        description="Unique identifier (UUID); pass it to property(id), updateProperty and a deal's propertyId."
    )
    address: str = strawberry.field(description=PROPERTY_FIELDS["address"])
    city: str = strawberry.field(description=PROPERTY_FIELDS["city"])
    state: str = strawberry.field(description=PROPERTY_FIELDS["state"])
    zip_code: str = strawberry.field(description=PROPERTY_FIELDS["zip_code"])
    property_type: PropertyType = strawberry.field(description=PROPERTY_FIELDS["property_type"])
    status: PropertyStatus = strawberry.field(description=PROPERTY_FIELDS["status"])
    price: Decimal = strawberry.field(description=PROPERTY_FIELDS["price"])
    bedrooms: int | None = strawberry.field(description=PROPERTY_FIELDS["bedrooms"])
    bathrooms: Decimal | None = strawberry.field(description=PROPERTY_FIELDS["bathrooms"])
    square_feet: int | None = strawberry.field(description=PROPERTY_FIELDS["square_feet"])
    mls_number: str | None = strawberry.field(description=PROPERTY_FIELDS["mls_number"])
    description: str | None = strawberry.field(description=PROPERTY_FIELDS["description"])
    created_at: datetime = strawberry.field(description="When the property was added (ISO 8601 with time zone).")
    updated_at: datetime = strawberry.field(
        description="When any of its fields last changed (ISO 8601 with time zone)."
    )

    @strawberry.field(description="Deals about this property, newest first, paged (limit 1–100).")
    async def deals(
        self, info: Info, page: PageNumber = 1, limit: PageLimit = 20
    ) -> Page[Annotated[Deal, strawberry.lazy("winnerr.schema.deals.types")]]:
        from winnerr.schema.deals.types import Deal

        result = await page_of_relation(info.context.loaders, PROPERTY_DEALS, key_of(self.id), page, limit)
        return Page.of(result, lambda row: from_row(Deal, row))
