"""Calendar writes (issue 10, point 7): a showing with a person and a property created, changed and cancelled
through Nylas's events API (a local stub), the local CalendarEvent row kept in step, `calendarEvents(from, to)`
reading them; Nylas's refusal changes nothing here."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.graphql_documents import create_property
from tests.providers import connect, hooks, nylas_notification, post_nylas, sid
from tests.stubs import HANG, NYLAS_API_KEY, Providers, stubbed, stubbed_app
from winnerr.db.enums import Role

__all__ = ["hooks", "stubbed", "stubbed_app"]

EVENT_FIELDS = "id title startsAt endsAt location status externalId person { id } property { id }"
CREATE = f"""mutation($input: CreateCalendarEventInput!) {{
  createCalendarEvent(input: $input) {{ {EVENT_FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: UpdateCalendarEventInput!) {{
  updateCalendarEvent(id: $id, input: $input) {{ {EVENT_FIELDS} }} }}"""
CANCEL = f"mutation($id: ID!) {{ cancelCalendarEvent(id: $id) {{ {EVENT_FIELDS} }} }}"
EVENTS = f"""query($from: DateTime, $to: DateTime) {{ calendarEvents(from: $from, to: $to) {{
  items {{ {EVENT_FIELDS} }} pagination {{ total }} }} }}"""
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"
TOMORROW = datetime(2030, 6, 1, 15, 0, tzinfo=UTC)


@dataclasses.dataclass
class Showing:
    writer: Tenant
    grant: str
    person_id: str
    property_id: str


async def showing(tenant: Tenant, stubbed: Providers) -> Showing:
    grant = sid("grant-")
    await connect(tenant, "NYLAS", grant, "agent@realty.example")
    person = await tenant.gql(
        CREATE_PERSON, {"input": {"firstName": "Dana", "lastName": "Buyer", "email": "dana@buyer.example"}}
    )
    place = await create_property(tenant)
    return Showing(dataclasses.replace(tenant, client=stubbed.client), grant, person["createPerson"]["id"], place["id"])


def new_event(s: Showing, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Showing: 12 Oak Street",
        "startsAt": TOMORROW.isoformat(),
        "endsAt": (TOMORROW + timedelta(minutes=45)).isoformat(),
        "personId": s.person_id,
        "propertyId": s.property_id,
        **fields,
    }


async def events(tenant: Tenant, **variables: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await tenant.gql(EVENTS, variables))["calendarEvents"]["items"]
    return items


async def test_a_showing_is_created_changed_and_cancelled_through_nylas(tenant: Tenant, stubbed: Providers) -> None:
    s = await showing(tenant, stubbed)
    mark = len(stubbed.nylas.received)
    created = (await s.writer.gql(CREATE, {"input": new_event(s)}))["createCalendarEvent"]
    [request] = stubbed.nylas.since(mark)
    assert (request.method, request.path, request.query) == (
        "POST", f"/v3/grants/{s.grant}/events", {"calendar_id": "primary"}
    )
    assert request.auth == f"Bearer {NYLAS_API_KEY}"
    start = int(TOMORROW.timestamp())
    assert request.json == {
        "title": "Showing: 12 Oak Street",
        "when": {"start_time": start, "end_time": start + 45 * 60},
        "location": "12 Oak Street, Austin, TX 78701",
        "participants": [{"email": "dana@buyer.example", "name": "Dana Buyer"}],
    }
    assert created["externalId"] == f"evt-{len(stubbed.nylas.received)}"
    assert (created["status"], created["location"]) == ("CONFIRMED", "12 Oak Street, Austin, TX 78701")
    assert (created["person"], created["property"]) == ({"id": s.person_id}, {"id": s.property_id})
    assert await events(tenant) == [created]

    later = (TOMORROW + timedelta(hours=2)).isoformat()
    changes = {"startsAt": later, "endsAt": (TOMORROW + timedelta(hours=3)).isoformat(), "location": "Front door"}
    updated = (await s.writer.gql(UPDATE, {"id": created["id"], "input": changes}))["updateCalendarEvent"]
    request = stubbed.nylas.received[-1]
    assert (request.method, request.path) == ("PUT", f"/v3/grants/{s.grant}/events/{created['externalId']}")
    assert request.json["when"] == {"start_time": start + 7200, "end_time": start + 3 * 3600}
    assert (request.json["title"], request.json["location"]) == ("Showing: 12 Oak Street", "Front door")
    assert (updated["startsAt"], updated["location"], updated["title"]) == (later, "Front door", created["title"])
    assert await events(tenant) == [updated]

    cancelled = (await s.writer.gql(CANCEL, {"id": created["id"]}))["cancelCalendarEvent"]
    request = stubbed.nylas.received[-1]
    assert (request.method, request.path) == ("DELETE", f"/v3/grants/{s.grant}/events/{created['externalId']}")
    assert cancelled["status"] == "CANCELLED"
    mark = len(stubbed.nylas.received)
    assert (await s.writer.gql(CANCEL, {"id": created["id"]}))["cancelCalendarEvent"] == cancelled
    assert stubbed.nylas.since(mark) == []
    assert await events(tenant) == [cancelled]


async def test_calendar_events_reads_the_window_asked(tenant: Tenant, stubbed: Providers) -> None:
    s = await showing(tenant, stubbed)
    first = (await s.writer.gql(CREATE, {"input": new_event(s, title="First")}))["createCalendarEvent"]
    week_later = {"startsAt": (TOMORROW + timedelta(days=7)).isoformat(),
                  "endsAt": (TOMORROW + timedelta(days=7, hours=1)).isoformat()}
    second = (await s.writer.gql(CREATE, {"input": new_event(s, title="Second", **week_later)}))["createCalendarEvent"]
    assert [e["title"] for e in await events(tenant)] == ["First", "Second"]
    window = {"from": (TOMORROW + timedelta(days=1)).isoformat(), "to": (TOMORROW + timedelta(days=8)).isoformat()}
    assert [e["id"] for e in await events(tenant, **window)] == [second["id"]]
    assert [e["id"] for e in await events(tenant, to=(TOMORROW + timedelta(minutes=30)).isoformat())] == [first["id"]]


async def test_an_event_told_by_the_webhook_is_changed_through_its_own_grant(
    tenant: Tenant, stubbed: Providers, hooks: httpx.AsyncClient
) -> None:
    s = await showing(tenant, stubbed)
    other_grant = sid("grant-")
    await connect(tenant, "NYLAS", other_grant, "office@realty.example")
    start = int(TOMORROW.timestamp())
    told = {"id": sid("evt-"), "grant_id": other_grant, "calendar_id": "office-calendar", "title": "Open house",
            "status": "confirmed", "when": {"start_time": start, "end_time": start + 3600}}
    await post_nylas(hooks, nylas_notification("event.created", told))
    [event] = await events(tenant)
    await s.writer.gql(UPDATE, {"id": event["id"], "input": {"title": "Open house (2 hours)"}})
    request = stubbed.nylas.received[-1]
    assert (request.path, request.query) == (
        f"/v3/grants/{other_grant}/events/{told['id']}", {"calendar_id": "office-calendar"}
    )
    assert request.json["when"] == {"start_time": start, "end_time": start + 3600}


@pytest.mark.parametrize("failure", [400, 500, HANG])
async def test_nylas_refusing_changes_nothing_here(tenant: Tenant, stubbed: Providers, failure: int | str) -> None:
    s = await showing(tenant, stubbed)
    created = (await s.writer.gql(CREATE, {"input": new_event(s)}))["createCalendarEvent"]
    stubbed.nylas.fail = failure
    for document, variables in (
        (CREATE, {"input": new_event(s, title="Another")}),
        (UPDATE, {"id": created["id"], "input": {"title": "Renamed"}}),
        (CANCEL, {"id": created["id"]}),
    ):
        error = await s.writer.gql_error(document, variables)
        assert error["extensions"]["code"] == "PROVIDER_ERROR"
    assert await events(tenant) == [created]


async def test_bad_events_reach_nobody(tenant: Tenant, stubbed: Providers, other_tenant: Tenant) -> None:
    s = await showing(tenant, stubbed)
    mark = len(stubbed.nylas.received)
    backwards = new_event(s, endsAt=(TOMORROW - timedelta(minutes=1)).isoformat())
    error = await s.writer.gql_error(CREATE, {"input": backwards})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    foreign = (await other_tenant.gql(CREATE_PERSON, {"input": {"firstName": "O", "lastName": "T"}}))["createPerson"]
    error = await s.writer.gql_error(CREATE, {"input": new_event(s, personId=foreign["id"])})
    assert error["extensions"]["code"] == "NOT_FOUND"
    viewer = s.writer.as_role(Role.VIEWER)
    error = await viewer.gql_error(CREATE, {"input": new_event(s)})
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert stubbed.nylas.since(mark) == []
    assert await events(tenant) == []
