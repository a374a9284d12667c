"""The `CalendarEvent` type."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from winnerr.db import models
from winnerr.db.enums import CalendarEventStatus
from winnerr.schema.described import describe_values
from winnerr.schema.mapping import from_row, mapped
from winnerr.schema.people.types import Person
from winnerr.schema.properties.types import Property
from winnerr.schema.types import Info

strawberry.enum(CalendarEventStatus, description="Whether the event takes place: CONFIRMED, TENTATIVE or CANCELLED.")
describe_values(
    CalendarEventStatus,
    {
        "CONFIRMED": "It takes place as planned.",
        "TENTATIVE": "Planned but not yet certain.",
        "CANCELLED": "Called off (cancelCalendarEvent); kept for the record.",
    },
)


@mapped(models.CalendarEvent)
@strawberry.type(description="A showing or meeting in a connected calendar (Nylas).")
class CalendarEvent:
    id: strawberry.ID = strawberry.field(description="Unique identifier (UUID) here; externalId is the provider's.")
    title: str = strawberry.field(description="Its title (at most 300 characters).")
    starts_at: datetime = strawberry.field(description="When it starts (an all-day event: midnight UTC).")
    ends_at: datetime | None = strawberry.field(description="When it ends, if the calendar says.")
    location: str | None = strawberry.field(description="Where (at most 500 characters).")
    status: CalendarEventStatus = strawberry.field(description="Whether it takes place.")
    external_id: str = strawberry.field(description="The calendar provider's id of the event.")
    person_id: strawberry.Private[uuid.UUID | None]
    property_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The first participant the organization knows by e-mail address.")
    async def person(self, info: Info) -> Person | None:
        if self.person_id is None:
            return None
        return from_row(Person, await info.context.loaders.person.load(self.person_id))

    @strawberry.field(description="The property it is about, if any.")
    async def property(self, info: Info) -> Property | None:
        if self.property_id is None:
            return None
        return from_row(Property, await info.context.loaders.property.load(self.property_id))
