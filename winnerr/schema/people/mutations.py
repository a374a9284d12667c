"""Changing people: `createPerson`, `updatePerson`, `deletePerson`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import people
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.people.inputs import CreatePersonInput, UpdatePersonInput
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(description="Add a person; a second person with the same e-mail is DUPLICATE_RECORD.")
    async def create_person(self, info: Info, input: CreatePersonInput) -> Person:
        return from_row(Person, await people.create_person(info.context, values_of(input)))

    @strawberry.mutation
    async def update_person(self, info: Info, id: strawberry.ID, input: UpdatePersonInput) -> Person:
        return from_row(Person, await people.update_person(info.context, id, values_of(input)))

    @strawberry.mutation(description="Delete a person; returns its id. CONFLICT while the person has deals.")
    async def delete_person(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        return strawberry.ID(str(await people.delete_person(info.context, id)))
