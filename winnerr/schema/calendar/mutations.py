"""Writing the calendar through Nylas: `createCalendarEvent`, `updateCalendarEvent`, `cancelCalendarEvent`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import calendar
from winnerr.schema.calendar.inputs import CreateCalendarEventInput, UpdateCalendarEventInput
from winnerr.schema.calendar.types import CalendarEvent
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.types import Info

EventId = Annotated[
    strawberry.ID, strawberry.argument(description="Which calendar event (as `calendarEvents` lists it).")
]
WRITES = (
    " Nylas is asked first: PROVIDER_ERROR if it refuses or does not answer (nothing changes here). AGENT and above."
)


@strawberry.type
class CalendarMutation:
    @strawberry.mutation(
        description="Put a showing or meeting in the organization's first connected calendar (the Nylas grant's "
        "primary calendar) and store it. CONFLICT if no grant is connected." + WRITES
    )
    async def create_calendar_event(
        self,
        info: Info,
        input: Annotated[
            CreateCalendarEventInput, strawberry.argument(description="The showing: title, times, person, property.")
        ],
    ) -> CalendarEvent:
        return from_row(CalendarEvent, await calendar.create_calendar_event(info.context, values_of(input)))

    @strawberry.mutation(
        description="Change an event in its calendar and here. CONFLICT if it is cancelled." + WRITES
    )
    async def update_calendar_event(
        self,
        info: Info,
        id: EventId,
        input: Annotated[UpdateCalendarEventInput, strawberry.argument(description="What changes.")],
    ) -> CalendarEvent:
        return from_row(CalendarEvent, await calendar.update_calendar_event(info.context, id, values_of(input)))

    @strawberry.mutation(
        description="Cancel an event: deleted from its calendar (participants are told) and CANCELLED here; "
        "cancelling it again changes nothing." + WRITES
    )
    async def cancel_calendar_event(self, info: Info, id: EventId) -> CalendarEvent:
        return from_row(CalendarEvent, await calendar.cancel_calendar_event(info.context, id))
