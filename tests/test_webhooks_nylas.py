"""Nylas's notifications (issue 10, point 4): e-mails become communications of the people they name, once
per organization whichever of its mailboxes saw them; calendar events become CalendarEvent rows; an expired
grant marks its integration broken."""

from __future__ import annotations

import time
import uuid

import httpx

from tests.factories import Tenant
from tests.providers import communications, connect, hooks, nylas_notification, post_nylas

__all__ = ["hooks"]

CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"
INTEGRATIONS = "{ integrations { externalId status } }"
EVENTS = """query($from: DateTime, $to: DateTime) { calendarEvents(from: $from, to: $to) {
  items { title startsAt endsAt location status externalId person { id } } pagination { total } } }"""


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def message(
    grant: str, sender: str, recipients: list[str], message_id: str, subject: str = "Offer"
) -> dict[str, object]:
    return {
        "id": unique("msg"),
        "grant_id": grant,
        "object": "message",
        "thread_id": "thread-7",
        "subject": subject,
        "from": [{"name": "", "email": sender}],
        "to": [{"email": address} for address in recipients],
        "cc": [],
        "date": int(time.time()),
        "body": "<p>We'd like to offer 450k.</p>",
        "headers": [{"name": "Message-ID", "value": message_id}],
    }


async def test_one_email_seen_by_two_mailboxes_is_stored_once(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    first, second = unique("grant"), unique("grant")
    office, agent = f"{unique('office')}@realty.example.com", f"{unique('agent')}@realty.example.com"
    await connect(tenant, "NYLAS", first, office)
    await connect(tenant, "NYLAS", second, agent)
    buyer = f"{unique('buyer')}@example.com"
    person = await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Bea", "lastName": "Buyer", "email": buyer}})
    message_id = f"<{uuid.uuid4().hex}@mail.example.com>"
    for grant in (first, second):
        response = await post_nylas(
            hooks, nylas_notification("message.created", message(grant, buyer, [office, agent], message_id))
        )
        assert response.status_code == 200, response.text
    [email] = await communications(tenant)
    assert (email["channel"], email["direction"], email["subject"]) == ("EMAIL", "INBOUND", "Offer")
    assert (email["externalId"], email["threadId"]) == (message_id, "thread-7")
    assert email["person"]["id"] == person["createPerson"]["id"]

    reply = message(first, office, [buyer], f"<{uuid.uuid4().hex}@realty.example.com>", "Re: Offer")
    await post_nylas(hooks, nylas_notification("message.created", reply))
    directions = sorted(c["direction"] for c in await communications(tenant))
    assert directions == ["INBOUND", "OUTBOUND"]


async def test_calendar_events_follow_their_notifications(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    grant = unique("grant")
    await connect(tenant, "NYLAS", grant, f"{unique('cal')}@realty.example.com")
    buyer = f"{unique('buyer')}@example.com"
    await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Cal", "lastName": "Endar", "email": buyer}})
    start = 1_900_000_000
    event = {
        "id": unique("evt"),
        "grant_id": grant,
        "object": "event",
        "title": "Showing: 12 Elm St",
        "when": {"object": "timespan", "start_time": start, "end_time": start + 1800},
        "location": "12 Elm St",
        "status": "confirmed",
        "participants": [{"email": buyer}],
    }
    await post_nylas(hooks, nylas_notification("event.created", event))
    await post_nylas(hooks, nylas_notification("event.updated", event | {"title": "Showing: 12 Elm Street"}))
    [row] = (await tenant.gql(EVENTS))["calendarEvents"]["items"]
    assert (row["title"], row["status"], row["location"]) == ("Showing: 12 Elm Street", "CONFIRMED", "12 Elm St")
    assert (row["startsAt"], row["endsAt"]) == ("2030-03-17T17:46:40+00:00", "2030-03-17T18:16:40+00:00")
    assert row["person"] is not None
    await post_nylas(hooks, nylas_notification("event.deleted", {"id": event["id"], "grant_id": grant}))
    window = {"from": "2030-03-17T00:00:00Z", "to": "2030-03-18T00:00:00Z"}
    [cancelled] = (await tenant.gql(EVENTS, window))["calendarEvents"]["items"]
    assert cancelled["status"] == "CANCELLED"
    later = {"from": "2030-03-18T00:00:00Z"}
    assert (await tenant.gql(EVENTS, later))["calendarEvents"]["pagination"]["total"] == 0


async def test_an_expired_grant_marks_its_integration_broken(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    grant = unique("grant")
    await connect(tenant, "NYLAS", grant, f"{unique('box')}@realty.example.com")
    await post_nylas(hooks, nylas_notification("grant.expired", {"grant_id": grant, "code": 25013}))
    assert (await tenant.gql(INTEGRATIONS))["integrations"] == [{"externalId": grant, "status": "BROKEN"}]


async def test_an_updated_message_changes_its_communication(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    grant, office = unique("grant"), f"{unique('office')}@realty.example.com"
    await connect(tenant, "NYLAS", grant, office)
    buyer = f"{unique('buyer')}@example.com"
    await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Una", "lastName": "Updated", "email": buyer}})
    message_id = f"<{uuid.uuid4().hex}@mail.example.com>"
    original = message(grant, buyer, [office], message_id)
    await post_nylas(hooks, nylas_notification("message.created", original))
    edited = original | {"subject": "Offer (revised)", "body": "<p>Make it 460k.</p>"}
    response = await post_nylas(hooks, nylas_notification("message.updated", edited))
    assert response.status_code == 200, response.text
    [email] = await communications(tenant)
    assert (email["externalId"], email["subject"], email["body"]) == (
        message_id, "Offer (revised)", "<p>Make it 460k.</p>"
    )
