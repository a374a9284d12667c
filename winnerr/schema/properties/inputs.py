"""Inputs for creating, updating and searching properties."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from winnerr.schema.enums import PropertySort, PropertyStatus, PropertyType

PROPERTY_FIELDS = {
    "address": "Street address, 1–200 characters.",
    "city": "City, 1–100 characters.",
    "state": "State, 2–50 characters (e.g. TX).",
    "zip_code": "US ZIP code: 12345 or 12345-6789.",
    "property_type": "SINGLE_FAMILY, CONDO or TOWNHOUSE.",
    "price": "Asking or sale price, greater than 0 with at most 2 decimals, in the organization's currency, as a "
    "decimal string like \"450000.00\".",
    "status": "ACTIVE (the default), PENDING or SOLD.",
    "bedrooms": "Number of bedrooms, 0–50.",
    "bathrooms": "Number of bathrooms, 0–50 in halves (e.g. \"2.5\"), as a decimal string.",
    "square_feet": "Living area in square feet, 1–1,000,000.",
    "mls_number": "The listing's Multiple Listing Service number, 1–50 characters; unique per organization "
    "(DUPLICATE_RECORD).",
    "description": "The listing text, at most 5,000 characters.",
}
"""What each property field means, for creating and updating alike."""


@strawberry.input(description="price > 0; zipCode 12345 or 12345-6789; bathrooms in halves.")
class CreatePropertyInput:
    address: str = strawberry.field(description=PROPERTY_FIELDS["address"])
    city: str = strawberry.field(description=PROPERTY_FIELDS["city"])
    state: str = strawberry.field(description=PROPERTY_FIELDS["state"])
    zip_code: str = strawberry.field(description=PROPERTY_FIELDS["zip_code"])
    property_type: PropertyType = strawberry.field(description=PROPERTY_FIELDS["property_type"])
    price: Decimal = strawberry.field(description=PROPERTY_FIELDS["price"])
    status: PropertyStatus | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["status"])
    bedrooms: int | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["bedrooms"])
    bathrooms: Decimal | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["bathrooms"])
    square_feet: int | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["square_feet"])
    mls_number: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["mls_number"])
    description: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["description"])


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdatePropertyInput:
    address: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["address"])
    city: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["city"])
    state: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["state"])
    zip_code: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["zip_code"])
    property_type: PropertyType | None = strawberry.field(
        default=strawberry.UNSET, description=PROPERTY_FIELDS["property_type"]
    )
    price: Decimal | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["price"])
    status: PropertyStatus | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["status"])
    bedrooms: int | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["bedrooms"])
    bathrooms: Decimal | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["bathrooms"])
    square_feet: int | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["square_feet"])
    mls_number: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["mls_number"])
    description: str | None = strawberry.field(default=strawberry.UNSET, description=PROPERTY_FIELDS["description"])


@strawberry.input(description="The property search: bedrooms and bathrooms are minimums; minPrice ≤ maxPrice.")
class PropertySearchInput:
    query: str | None = strawberry.field(default=strawberry.UNSET, description="Text in address or description.")
    property_type: PropertyType | None = strawberry.field(
        default=strawberry.UNSET, description="Only this kind of home."
    )
    min_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Price at least this, in the organization's currency, as a decimal "
        "string."
    )
    max_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Price at most this, in the organization's currency, as a decimal string."
    )
    bedrooms: int | None = strawberry.field(default=strawberry.UNSET, description="At least this many bedrooms.")
    bathrooms: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="At least this many bathrooms (halves allowed, e.g. \"1.5\")."
    )
    city: str | None = strawberry.field(default=strawberry.UNSET, description="Exactly this city, case aside.")
    state: str | None = strawberry.field(default=strawberry.UNSET, description="Exactly this state, case aside.")
    zip_code: str | None = strawberry.field(default=strawberry.UNSET, description="Exactly this ZIP code.")
    status: PropertyStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Only properties with this status."
    )
    sort: PropertySort | None = strawberry.field(
        default=strawberry.UNSET, description="NEWEST (the default), PRICE_ASC or PRICE_DESC."
    )
    page: int | None = strawberry.field(default=strawberry.UNSET, description="Which page, counted from 1 (default 1).")
    limit: int | None = strawberry.field(default=strawberry.UNSET, description="1–100, default 20.")
