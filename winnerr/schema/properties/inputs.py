"""Inputs for creating, updating and searching properties."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from winnerr.schema.enums import PropertySort, PropertyStatus, PropertyType


@strawberry.input(description="price > 0; zipCode 12345 or 12345-6789; bathrooms in halves.")
class CreatePropertyInput:
    address: str
    city: str
    state: str
    zip_code: str
    property_type: PropertyType
    price: Decimal
    status: PropertyStatus | None = strawberry.UNSET
    bedrooms: int | None = strawberry.UNSET
    bathrooms: Decimal | None = strawberry.UNSET
    square_feet: int | None = strawberry.UNSET
    mls_number: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdatePropertyInput:
    address: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    state: str | None = strawberry.UNSET
    zip_code: str | None = strawberry.UNSET
    property_type: PropertyType | None = strawberry.UNSET
    price: Decimal | None = strawberry.UNSET
    status: PropertyStatus | None = strawberry.UNSET
    bedrooms: int | None = strawberry.UNSET
    bathrooms: Decimal | None = strawberry.UNSET
    square_feet: int | None = strawberry.UNSET
    mls_number: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input(description="The property search: bedrooms and bathrooms are minimums; minPrice ≤ maxPrice.")
class PropertySearchInput:
    query: str | None = strawberry.field(default=strawberry.UNSET, description="Text in address or description.")
    property_type: PropertyType | None = strawberry.UNSET
    min_price: Decimal | None = strawberry.UNSET
    max_price: Decimal | None = strawberry.UNSET
    bedrooms: int | None = strawberry.UNSET
    bathrooms: Decimal | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    state: str | None = strawberry.UNSET
    zip_code: str | None = strawberry.UNSET
    status: PropertyStatus | None = strawberry.UNSET
    sort: PropertySort | None = strawberry.UNSET
    page: int | None = strawberry.UNSET
    limit: int | None = strawberry.field(default=strawberry.UNSET, description="1–100, default 20.")
