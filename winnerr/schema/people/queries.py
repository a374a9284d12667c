"""Reading people: `person(id)` and `people(search, filter, sort, page, limit)`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import people
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row, from_rows
from winnerr.schema.pagination import Page
from winnerr.schema.people.inputs import PersonFilter, PersonSort
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="One person of your organization; null (with NOT_FOUND) for an unknown id.")
    async def person(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The person's id (UUID).")],
    ) -> Person | None:
        return from_row(Person, await people.get_person(info.context, id))

    @strawberry.field(
        description="Your organization's people. `search` matches every word as a prefix of a name, e-mail, "
        "city, tag or phone number (any formatting); results are ranked by relevance unless `sort` is given, "
        "else newest first. Paged: limit 1–100."
    )
    async def people(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Words to look for (at most 200 characters); null or empty lists everyone."
            ),
        ] = None,
        filter: Annotated[
            PersonFilter | None,
            strawberry.argument(description="Conditions every listed person meets."),
        ] = None,
        sort: Annotated[
            PersonSort | None,
            strawberry.argument(description="The order; default relevance for a search, else newest first."),
        ] = None,
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> Page[Person]:
        result = await people.list_people(
            info.context,
            search=search,
            filters=values_of(filter),
            sort=(sort.field, sort.direction) if sort else None,
            page=page,
            limit=limit,
        )
        return Page.of(result, lambda row: from_row(Person, row))

    @strawberry.field(
        description="Autocomplete over names and e-mails (limit 1–20, default 10): word prefixes first, then "
        "typo-tolerant matches by trigram similarity (\"jenifer\" finds Jennifer)."
    )
    async def suggest_people(
        self,
        info: Info,
        prefix: Annotated[str, strawberry.argument(description="What the user typed so far, 1–100 characters.")],
        limit: Annotated[
            int | None,
            strawberry.argument(description="How many suggestions, 1–20 (default 10)."),
        ] = None,
    ) -> list[Person]:
        return from_rows(Person, await people.suggest_people(info.context, prefix, limit))
