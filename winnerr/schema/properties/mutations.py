"""Changing properties: `createProperty`, `updateProperty`, `deleteProperty`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import properties
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.properties.inputs import CreatePropertyInput, UpdatePropertyInput
from winnerr.schema.properties.types import Property
from winnerr.schema.types import Info


@strawberry.type
class PropertiesMutation:
    @strawberry.mutation(description="Add a property; a repeated MLS number is DUPLICATE_RECORD.")
    async def create_property(
        self,
        info: Info,
        input: Annotated[
            CreatePropertyInput,
            strawberry.argument(
                description="The new property's fields; address, city, state, zipCode, propertyType and price are "
                "required."
            ),
        ],
    ) -> Property:
        return from_row(Property, await properties.create_property(info.context, values_of(input)))

    @strawberry.mutation(description="Change some of a property's fields; answers it as stored. AGENT and above.")
    async def update_property(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The property to change; NOT_FOUND if it is not in your organization."),
        ],
        input: Annotated[
            UpdatePropertyInput,
            strawberry.argument(description="Only the fields given change; null clears an optional one."),
        ],
    ) -> Property:
        return from_row(Property, await properties.update_property(info.context, id, values_of(input)))

    @strawberry.mutation(description="Delete a property (its deals keep going without it); returns its id.")
    async def delete_property(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The property to delete; NOT_FOUND if it is not in your organization."),
        ],
    ) -> strawberry.ID:
        return strawberry.ID(str(await properties.delete_property(info.context, id)))
