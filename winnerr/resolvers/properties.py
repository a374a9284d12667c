"""Properties: create, read, search, update and delete the homes an organization handles."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator
from sqlalchemy import Select, func

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import PropertyStatus, PropertyType
from winnerr.db.models import Property
from winnerr.db.scope import TenantScope
from winnerr.db.search import TextSearch
from winnerr.resolvers import records
from winnerr.resolvers.joined import reader
from winnerr.resolvers.pagination import Page, PageRequest, paginate
from winnerr.resolvers.querying import SortDirection, check_range, order, where_given
from winnerr.resolvers.validation import (
    LongText,
    PositiveMoney,
    Required50,
    Required100,
    Required200,
    Rules,
    State,
    Text50,
    Text100,
    Text200,
    ZipCode,
    partial,
    validate,
)

ENTITY = "Property"

Bedrooms = Annotated[int, Field(ge=0, le=50)]
Bathrooms = Annotated[Decimal, Field(ge=0, le=50, multiple_of=Decimal("0.5"))]


class PropertyRules(Rules):
    address: Required200
    city: Required100
    state: State
    zip_code: ZipCode
    property_type: PropertyType
    status: PropertyStatus = PropertyStatus.ACTIVE
    price: PositiveMoney
    bedrooms: Bedrooms | None = None
    bathrooms: Bathrooms | None = None
    square_feet: Annotated[int, Field(gt=0, le=1_000_000)] | None = None
    mls_number: Required50 | None = None
    description: LongText | None = None


PropertyPatchRules = partial(PropertyRules)


class PropertySort(StrEnum):
    NEWEST = "NEWEST"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"


class PropertySearchRules(PageRequest):
    """The original property search schema: bedrooms and bathrooms are minimums."""

    query: Text200 | None = None
    property_type: PropertyType | None = None
    min_price: PositiveMoney | None = None
    max_price: PositiveMoney | None = None
    bedrooms: Bedrooms | None = None
    bathrooms: Bathrooms | None = None
    city: Text100 | None = None
    state: Text50 | None = None
    zip_code: ZipCode | None = None
    status: PropertyStatus | None = None
    sort: PropertySort = PropertySort.NEWEST

    @model_validator(mode="after")
    def _price_range(self) -> PropertySearchRules:
        check_range(self.min_price, self.max_price, "minPrice", "maxPrice")
        return self


SORTS = {
    PropertySort.NEWEST: (Property.created_at, SortDirection.DESC),
    PropertySort.PRICE_ASC: (Property.price, SortDirection.ASC),
    PropertySort.PRICE_DESC: (Property.price, SortDirection.DESC),
}


async def get_property(ctx: Context, property_id: str) -> Property:
    return await records.read(ctx, Property, property_id, ENTITY)


async def search_properties(ctx: Context, search: dict[str, Any]) -> Page[Property]:
    ctx.principal.require(Permission.READ)
    rules = validate(PropertySearchRules, search, at="search")
    return await paginate(reader(ctx, Property), properties_query(ctx.scope, rules), rules)


def properties_query(scope: TenantScope, rules: PropertySearchRules) -> Select[Property]:
    """The organization's properties matching a search, in order: shared by the `properties` query and
    the CSV export."""
    column, direction = SORTS[rules.sort]
    return order(_filtered(scope.select(Property), rules), column, direction, Property.id)


def _filtered(query: Select[Property], rules: PropertySearchRules) -> Select[Property]:
    text_search = TextSearch.of(Property.search_vector, rules.query)
    return where_given(
        query,
        text_search and text_search.condition,
        rules.property_type and Property.property_type == rules.property_type,
        rules.min_price is not None and Property.price >= rules.min_price,
        rules.max_price is not None and Property.price <= rules.max_price,
        rules.bedrooms is not None and Property.bedrooms >= rules.bedrooms,
        rules.bathrooms is not None and Property.bathrooms >= rules.bathrooms,
        rules.city and func.lower(Property.city) == func.lower(rules.city),
        rules.state and func.lower(Property.state) == func.lower(rules.state),
        rules.zip_code and Property.zip_code == rules.zip_code,
        rules.status and Property.status == rules.status,
    )


async def create_property(ctx: Context, data: dict[str, Any]) -> Property:
    return await records.create_valid(ctx, Property, PropertyRules, data)


async def update_property(ctx: Context, property_id: str, data: dict[str, Any]) -> Property:
    return await records.update_valid(ctx, Property, PropertyPatchRules, property_id, data, ENTITY)


async def delete_property(ctx: Context, property_id: str) -> uuid.UUID:
    return await records.delete(ctx, Property, property_id, ENTITY)
