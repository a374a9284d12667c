"""Changing people: `createPerson`, `updatePerson`, `deletePerson`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import people, people_bulk
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.people.bulk import BulkPeopleResult, BulkUpdatePersonInput
from winnerr.schema.people.inputs import CreatePersonInput, UpdatePersonInput
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(description="Add a person; a second person with the same e-mail is DUPLICATE_RECORD.")
    async def create_person(
        self,
        info: Info,
        input: Annotated[
            CreatePersonInput,
            strawberry.argument(description="The new person's fields; firstName and lastName are required."),
        ],
    ) -> Person:
        return from_row(Person, await people.create_person(info.context, values_of(input)))

    @strawberry.mutation(description="Change some of a person's fields; answers the person as stored. AGENT and above.")
    async def update_person(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The person to change; NOT_FOUND if it is not in your organization."),
        ],
        input: Annotated[
            UpdatePersonInput,
            strawberry.argument(description="Only the fields given change; null clears an optional one."),
        ],
    ) -> Person:
        return from_row(Person, await people.update_person(info.context, id, values_of(input)))

    @strawberry.mutation(description="Delete a person; returns its id. CONFLICT while the person has deals.")
    async def delete_person(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The person to delete; NOT_FOUND if it is not in your organization."),
        ],
    ) -> strawberry.ID:
        return strawberry.ID(str(await people.delete_person(info.context, id)))

    @strawberry.mutation(description="Create up to 500 people; a bad row rejects only itself.")
    async def bulk_create_people(
        self,
        info: Info,
        inputs: Annotated[
            list[CreatePersonInput],
            strawberry.argument(description="1–500 new people, each as for createPerson."),
        ],
    ) -> BulkPeopleResult:
        rows = [values_of(row) for row in inputs]
        return BulkPeopleResult.of(await people_bulk.bulk_create_people(info.context, rows))

    @strawberry.mutation(description="Update up to 500 people; a bad row rejects only itself.")
    async def bulk_update_people(
        self,
        info: Info,
        inputs: Annotated[
            list[BulkUpdatePersonInput],
            strawberry.argument(description="1–500 changes, each a person's id and its fields."),
        ],
    ) -> BulkPeopleResult:
        rows = [(str(row.id), values_of(row.changes)) for row in inputs]
        return BulkPeopleResult.of(await people_bulk.bulk_update_people(info.context, rows))

    @strawberry.mutation(description="Delete up to 500 people; a row that fails (unknown, has deals) only itself.")
    async def bulk_delete_people(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="1–500 ids of people to delete.")],
    ) -> BulkPeopleResult:
        return BulkPeopleResult.of(await people_bulk.bulk_delete_people(info.context, [str(i) for i in ids]))
