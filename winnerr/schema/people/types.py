"""The `Person` type."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from winnerr.db import models
from winnerr.resolvers.communications import communications_of_person
from winnerr.resolvers.consent import consent_of
from winnerr.resolvers.loaders import PERSON_COMMUNICATIONS, PERSON_DEALS, PERSON_TASKS
from winnerr.resolvers.pagination import page_of_relation
from winnerr.resolvers.tasks import tasks_of_person
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.enums import LeadSource, PersonStatus
from winnerr.schema.mapping import from_row, key_of, mapped
from winnerr.schema.pagination import Page
from winnerr.schema.people.consent import SmsConsent
from winnerr.schema.people.inputs import PERSON_FIELDS
from winnerr.schema.types import Info

if TYPE_CHECKING:
    from winnerr.schema.ai.insights import PersonInsights
    from winnerr.schema.communications.types import Communication
    from winnerr.schema.deals.types import Deal
    from winnerr.schema.tasks.types import Task


@strawberry.type(
    description="How many deals, tasks and communications a person has."
)
class PersonCounts:
    person_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Deals the person is the client of, in any status.")
    async def deals(self, info: Info) -> int:
        return await info.context.loaders.total_of(PERSON_DEALS).load(self.person_id)

    @strawberry.field(description="Tasks about the person, done or not.")
    async def tasks(self, info: Info) -> int:
        return await info.context.loaders.total_of(PERSON_TASKS).load(self.person_id)

    @strawberry.field(description="Communications with the person, on every channel.")
    async def communications(self, info: Info) -> int:
        return await info.context.loaders.total_of(PERSON_COMMUNICATIONS).load(self.person_id)


@mapped(models.Person)
@strawberry.type(description="A contact: a client, a lead or anyone the organization works with.")
class Person:
    id: strawberry.ID = strawberry.field(
        description="Unique identifier (UUID); pass it to person(id), updatePerson and the personId of other inputs."
    )
    first_name: str = strawberry.field(description=PERSON_FIELDS["first_name"])
    last_name: str = strawberry.field(description=PERSON_FIELDS["last_name"])
    email: str | None = strawberry.field(description=PERSON_FIELDS["email"])
    phone: str | None = strawberry.field(description="E.164, e.g. +14155552671")
    address: str | None = strawberry.field(description=PERSON_FIELDS["address"])
    city: str | None = strawberry.field(description=PERSON_FIELDS["city"])
    state: str | None = strawberry.field(description=PERSON_FIELDS["state"])
    zip_code: str | None = strawberry.field(description=PERSON_FIELDS["zip_code"])
    source: LeadSource | None = strawberry.field(description=PERSON_FIELDS["source"])
    status: PersonStatus = strawberry.field(description=PERSON_FIELDS["status"])
    last_contact_at: datetime | None = strawberry.field(
        description="When they were last contacted (ISO 8601 with time zone); null if never."
    )
    tags: list[str] = strawberry.field(description=PERSON_FIELDS["tags"])
    custom_fields: JSON = strawberry.field(description=PERSON_FIELDS["custom_fields"])
    created_at: datetime = strawberry.field(description="When the person was added (ISO 8601 with time zone).")
    updated_at: datetime = strawberry.field(
        description="When any of the person's fields last changed (ISO 8601 with time zone)."
    )

    @strawberry.field(description="firstName and lastName joined by a space, for display.")
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @strawberry.field(description="The person's deals, newest first, paged (limit 1–100).")
    async def deals(
        self, info: Info, page: PageNumber = 1, limit: PageLimit = 20
    ) -> Page[Annotated[Deal, strawberry.lazy("winnerr.schema.deals.types")]]:
        from winnerr.schema.deals.types import Deal

        result = await page_of_relation(info.context.loaders, PERSON_DEALS, key_of(self.id), page, limit)
        return Page.of(result, lambda row: from_row(Deal, row))

    @strawberry.field(
        description="The person's tasks, due soonest first, paged (limit 1–100); `overdue` keeps only the "
        "overdue ones (true) or all the others (false)."
    )
    async def tasks(
        self,
        info: Info,
        overdue: Annotated[
            bool | None,
            strawberry.argument(description="true: only overdue tasks; false: only the others; null: all."),
        ] = None,
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> Page[Annotated[Task, strawberry.lazy("winnerr.schema.tasks.types")]]:
        from winnerr.schema.tasks.types import Task

        result = await tasks_of_person(info.context, key_of(self.id), overdue=overdue, page=page, limit=limit)
        return Page.of(result, lambda row: from_row(Task, row))

    @strawberry.field(description="The person's communications, newest first, paged (limit 1–100).")
    async def communications(
        self, info: Info, page: PageNumber = 1, limit: PageLimit = 20
    ) -> Page[Annotated[Communication, strawberry.lazy("winnerr.schema.communications.types")]]:
        from winnerr.schema.communications.types import Communication

        result = await communications_of_person(info.context, key_of(self.id), page, limit)
        return Page.of(result, lambda row: from_row(Communication, row))

    @strawberry.field(description="Whether the person may be texted, as their own texts (STOP, START) said.")
    async def sms_consent(self, info: Info) -> SmsConsent:
        return SmsConsent.of(await consent_of(info.context, key_of(self.id)))
    @strawberry.field(
        description="The person's lead score with its factors and the next best action, computed when read "
        "(for a list of people, in one statement)."
    )
    async def insights(
        self, info: Info
    ) -> Annotated[PersonInsights, strawberry.lazy("winnerr.schema.ai.insights")]:
        from winnerr.resolvers.insights import person_insight
        from winnerr.schema.ai.insights import PersonInsights

        return PersonInsights.of(await person_insight(info.context, key_of(self.id)))

    @strawberry.field(
        description="0–100, higher is warmer, computed from the person's signals when read: the same score as "
        "`insights.leadScore`, whose factors explain it. `people` filters (minLeadScore, maxLeadScore) and sorts "
        "(LEAD_SCORE) by it."
    )
    async def lead_score(self, info: Info) -> int:
        from winnerr.resolvers.insights import person_insight

        return (await person_insight(info.context, key_of(self.id))).score.score

    @strawberry.field(description="Counts of the person's deals, tasks and communications.")
    def counts(self) -> PersonCounts:
        return PersonCounts(person_id=key_of(self.id))
