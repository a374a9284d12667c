"""Inputs of the calendar writes: `createCalendarEvent`, `updateCalendarEvent`."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(description="A showing or meeting to put in the organization's connected calendar (Nylas).")
class CreateCalendarEventInput:
    title: str = strawberry.field(description="Its title, 1–300 characters.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends: after startsAt, at most 24 hours later.")
    location: str | None = strawberry.field(
        default=strawberry.UNSET, description="Where, ≤ 500 characters; the property's address when left out."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Notes for the calendar entry, ≤ 2,000 characters (not stored here)."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Who it is with; invited when they have an e-mail (NOT_FOUND if not "
        "the organization's)."
    )
    property_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The property shown (NOT_FOUND if not the organization's)."
    )


@strawberry.input(description="What changes in an event; fields left out stay as they are.")
class UpdateCalendarEventInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Its title, 1–300 characters.")
    starts_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="When it starts.")
    ends_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When it ends: after startsAt, at most 24 hours later."
    )
    location: str | None = strawberry.field(default=strawberry.UNSET, description="Where, ≤ 500 characters.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Notes for the calendar entry, ≤ 2,000 characters (not stored here)."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Who it is with (null: nobody)."
    )
    property_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The property shown (null: none)."
    )
