"""Calendar events (showings, meetings) as the connected calendars tell them: `calendarEvents(from, to)`."""

from __future__ import annotations

from datetime import datetime

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.models import CalendarEvent
from winnerr.errors import Issue, ValidationFailed
from winnerr.resolvers.pagination import Page, page_request, paginate


async def list_calendar_events(
    ctx: Context, starts: datetime | None, ends: datetime | None, page: int | None, limit: int | None
) -> Page[CalendarEvent]:
    """Events that overlap [from, to), earliest first; cancelled ones included (their status says so)."""
    ctx.principal.require(Permission.READ)
    if starts is not None and ends is not None and ends < starts:
        raise ValidationFailed([Issue(["to"], "must not be before from")])
    request = page_request(page, limit)
    query = ctx.scope.select(CalendarEvent)
    if ends is not None:
        query = query.where(CalendarEvent.starts_at < ends)
    if starts is not None:
        query = query.where((CalendarEvent.starts_at >= starts) | (CalendarEvent.ends_at > starts))
    query = query.order_by(CalendarEvent.starts_at, CalendarEvent.id)
    return await paginate(ctx.scope, query, request)
