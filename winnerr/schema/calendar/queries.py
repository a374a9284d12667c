"""Reading the calendar: `calendarEvents(from, to)`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from winnerr.resolvers import calendar
from winnerr.schema.calendar.types import CalendarEvent
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info


@strawberry.type
class CalendarQuery:
    @strawberry.field(description="Events overlapping [from, to), earliest first. Paged (limit 1–100, default 20).")
    async def calendar_events(
        self,
        info: Info,
        starts: Annotated[
            datetime | None, strawberry.argument(name="from", description="Events still running at or after this.")
        ] = None,
        ends: Annotated[
            datetime | None, strawberry.argument(name="to", description="Events starting before this.")
        ] = None,
        page: Annotated[int | None, strawberry.argument(description="The page, from 1.")] = 1,
        limit: Annotated[int | None, strawberry.argument(description="Events per page, 1–100.")] = 20,
    ) -> Page[CalendarEvent]:
        result = await calendar.list_calendar_events(info.context, starts, ends, page, limit)
        return Page.of(result, lambda row: from_row(CalendarEvent, row))
