"""Calendar events (showings, meetings): `calendarEvents(from, to)` reads them as the connected calendars tell
them; `createCalendarEvent`, `updateCalendarEvent` and `cancelCalendarEvent` write through Nylas's events API
first and keep the local row in step (a refusal from Nylas changes nothing here: PROVIDER_ERROR)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import StringConstraints, model_validator

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import CalendarEventStatus, IntegrationProvider
from winnerr.db.models import CalendarEvent, Person, Property
from winnerr.errors import Conflict, Issue, ValidationFailed
from winnerr.providers import nylas
from winnerr.resolvers import records
from winnerr.resolvers.integrations import active_accounts
from winnerr.resolvers.pagination import Page, page_request, paginate
from winnerr.resolvers.validation import Rules, Text2000, validate

ENTITY = "CalendarEvent"
PRIMARY = "primary"
"""Nylas's name for a grant's main calendar (Google, Microsoft)."""
NO_CALENDAR = "Connect a Nylas grant (connectIntegration) before writing to the calendar"
MAX_LENGTH = timedelta(hours=24)
DEFAULT_LENGTH = timedelta(hours=1)
"""How long an event the calendar told without an end is taken to last, when it is updated."""

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


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


class EventRules(Rules):
    """A showing or meeting: title, a timespan (ends after it starts, at most a day), where, with whom."""

    title: Title
    starts_at: datetime
    ends_at: datetime
    location: Location | None = None
    description: Text2000 | None = None
    person_id: uuid.UUID | None = None
    property_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _timespan(self) -> EventRules:
        if self.ends_at <= self.starts_at:
            raise ValueError("endsAt must be after startsAt")
        if self.ends_at - self.starts_at > MAX_LENGTH:
            raise ValueError("an event lasts at most 24 hours")
        return self


async def create_calendar_event(ctx: Context, data: dict[str, Any]) -> CalendarEvent:
    """Create the event in the organization's first connected calendar (Nylas, its primary calendar), then
    store it under the id Nylas gave it; the person (with an e-mail) is invited."""
    ctx.principal.require(Permission.WRITE)
    rules = validate(EventRules, data)
    person, place = await _person(ctx, rules.person_id), await _property(ctx, rules.property_id)
    grants = await active_accounts(ctx.scope, IntegrationProvider.NYLAS)
    if not grants:
        raise Conflict(NO_CALENDAR)
    event = _nylas_event(rules, person, place)
    created = await nylas.create_event(ctx.settings, grants[0], PRIMARY, event)
    values = rules.model_dump(exclude={"description"}) | {
        "location": event.get("location"),
        "external_id": str(created["id"])[:200],
        "grant_id": grants[0],
        "calendar_id": str(created.get("calendar_id") or PRIMARY)[:200],
        "status": CalendarEventStatus.CONFIRMED,
    }
    return await records.create(ctx, CalendarEvent, values)


async def update_calendar_event(ctx: Context, event_id: str, data: dict[str, Any]) -> CalendarEvent:
    """Change the event at Nylas (the whole event is sent again), then the local row."""
    ctx.principal.require(Permission.WRITE)
    event = await records.fetch(ctx, CalendarEvent, event_id, ENTITY)
    if event.status is CalendarEventStatus.CANCELLED:
        raise Conflict("This event is cancelled; create a new one instead")
    current = {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at or event.starts_at + DEFAULT_LENGTH,
        "location": event.location,
        "person_id": event.person_id,
        "property_id": event.property_id,
    }
    rules = validate(EventRules, current | data)
    person, place = await _person(ctx, rules.person_id), await _property(ctx, rules.property_id)
    grant, calendar = await _home(ctx, event)
    changed = _nylas_event(rules, person, place)
    await nylas.update_event(ctx.settings, grant, calendar, event.external_id, changed)
    values = rules.model_dump(exclude={"description"}) | {"location": changed.get("location")}
    return await records.update(ctx, event, values)


async def cancel_calendar_event(ctx: Context, event_id: str) -> CalendarEvent:
    """Delete the event at Nylas (its participants are told), and mark the local row CANCELLED; cancelling it
    again changes nothing and asks Nylas nothing."""
    ctx.principal.require(Permission.WRITE)
    event = await records.fetch(ctx, CalendarEvent, event_id, ENTITY)
    if event.status is CalendarEventStatus.CANCELLED:
        return event
    grant, calendar = await _home(ctx, event)
    await nylas.delete_event(ctx.settings, grant, calendar, event.external_id)
    return await records.update(ctx, event, {"status": CalendarEventStatus.CANCELLED})


async def _person(ctx: Context, person_id: uuid.UUID | None) -> Person | None:
    return None if person_id is None else await records.fetch(ctx, Person, person_id, "Person")


async def _property(ctx: Context, property_id: uuid.UUID | None) -> Property | None:
    return None if property_id is None else await records.fetch(ctx, Property, property_id, "Property")


async def _home(ctx: Context, event: CalendarEvent) -> tuple[str, str]:
    """The grant and calendar holding the event (an event told by an older webhook: the first grant)."""
    if event.grant_id is not None:
        return event.grant_id, event.calendar_id or PRIMARY
    grants = await active_accounts(ctx.scope, IntegrationProvider.NYLAS)
    if not grants:
        raise Conflict(NO_CALENDAR)
    return grants[0], event.calendar_id or PRIMARY


def _nylas_event(rules: EventRules, person: Person | None, place: Property | None) -> dict[str, Any]:
    """The event as Nylas's events API takes it: a timespan in Unix seconds, the person as participant."""
    body: dict[str, Any] = {
        "title": rules.title,
        "when": {"start_time": int(rules.starts_at.timestamp()), "end_time": int(rules.ends_at.timestamp())},
        "location": rules.location or (_address(place) if place is not None else None),
        "description": rules.description,
        "participants": [],
    }
    if person is not None and person.email:
        body["participants"] = [{"email": person.email, "name": f"{person.first_name} {person.last_name}".strip()}]
    return {key: value for key, value in body.items() if value is not None}


def _address(place: Property) -> str:
    return f"{place.address}, {place.city}, {place.state} {place.zip_code}"

