"""Outbound e-mails and calls (issue 10, points 6 and 9): `sendEmail` through Nylas's send endpoint and
`startCall` through twilio's `calls.create`, each against a local stub that records what it received; the
communication is recorded once the provider took it (lastContactAt, communicationCreated), and a provider's
refusal, failure or silence records nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.live import GraphQLSocket
from tests.providers import (
    PUBLIC_URL,
    communications,
    connect,
    hooks,
    nylas_notification,
    phone_number,
    post_nylas,
    post_twilio,
    sid,
)
from tests.stubs import HANG, NYLAS_API_KEY, Providers, stubbed, stubbed_app

__all__ = ["hooks", "stubbed", "stubbed_app"]

CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"
SEND_EMAIL = """mutation($personId: ID!, $subject: String!, $body: String!) {
  sendEmail(personId: $personId, subject: $subject, body: $body) {
    id channel direction subject body externalId threadId person { id lastContactAt } } }"""
START_CALL = """mutation($personId: ID!, $agentPhone: String) {
  startCall(personId: $personId, agentPhone: $agentPhone) {
    id channel direction subject externalId durationSeconds person { id lastContactAt } } }"""
FAILURES = [400, 500, HANG]


async def person(tenant: Tenant, **fields: str) -> str:
    created = await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Dana", "lastName": "Buyer", **fields}})
    person_id: str = created["createPerson"]["id"]
    return person_id


def over(tenant: Tenant, stubbed: Providers) -> Tenant:
    return dataclasses.replace(tenant, client=stubbed.client)


async def mailing(tenant: Tenant, stubbed: Providers) -> tuple[Tenant, str, str]:
    grant = sid("grant-")
    await connect(tenant, "NYLAS", grant, "agent@realty.example")
    return over(tenant, stubbed), grant, await person(tenant, email="dana@buyer.example")


async def test_send_email_goes_through_nylas_and_is_recorded_once(
    tenant: Tenant, stubbed: Providers, hooks: httpx.AsyncClient
) -> None:
    sender, grant, person_id = await mailing(tenant, stubbed)
    mark = len(stubbed.nylas.received)
    variables = {"personId": person_id, "subject": "Saturday's showing", "body": "<p>See you at 3pm.</p>"}
    sent = (await sender.gql(SEND_EMAIL, variables))["sendEmail"]
    [request] = stubbed.nylas.since(mark)
    assert (request.method, request.path) == ("POST", f"/v3/grants/{grant}/messages/send")
    assert request.auth == f"Bearer {NYLAS_API_KEY}"
    assert request.query == {"fields": "include_headers"}
    assert request.json == {
        "to": [{"email": "dana@buyer.example", "name": "Dana Buyer"}],
        "subject": "Saturday's showing",
        "body": "<p>See you at 3pm.</p>",
    }
    number = len(stubbed.nylas.received)
    assert (sent["channel"], sent["direction"], sent["subject"]) == ("EMAIL", "OUTBOUND", "Saturday's showing")
    assert (sent["externalId"], sent["threadId"]) == (f"<sent-{number}@mail.example>", f"thread-{number}")
    assert sent["person"]["lastContactAt"] is not None
    # The mailbox's own notification of the sent message is the same communication.
    message = {
        "id": f"msg-{number}",
        "grant_id": grant,
        "subject": "Saturday's showing",
        "from": [{"email": "agent@realty.example"}],
        "to": [{"email": "dana@buyer.example"}],
        "headers": [{"name": "Message-ID", "value": f"<sent-{number}@mail.example>"}],
        "date": 1_796_000_000,
    }
    assert (await post_nylas(hooks, nylas_notification("message.created", message))).status_code == 200
    assert [c["id"] for c in await communications(tenant)] == [sent["id"]]


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_nylas_failure_records_nothing(tenant: Tenant, stubbed: Providers, failure: int | str) -> None:
    sender, _, person_id = await mailing(tenant, stubbed)
    stubbed.nylas.fail = failure
    error = await sender.gql_error(SEND_EMAIL, {"personId": person_id, "subject": "Hi", "body": "Hello"})
    assert error["extensions"]["code"] == "PROVIDER_ERROR"
    assert ("did not answer" if failure == HANG else f"({failure}): Grant not found") in error["message"]
    assert await communications(tenant) == []
    [row] = (await tenant.gql("{ people(limit: 1) { items { lastContactAt } } }"))["people"]["items"]
    assert row["lastContactAt"] is None


async def test_send_email_without_a_mailbox_or_an_address_reaches_nobody(tenant: Tenant, stubbed: Providers) -> None:
    sender = over(tenant, stubbed)
    mark = len(stubbed.nylas.received)
    with_address = await person(tenant, email="no-mailbox@buyer.example")
    error = await sender.gql_error(SEND_EMAIL, {"personId": with_address, "subject": "Hi", "body": "Hello"})
    assert (error["extensions"]["code"], "Connect a Nylas grant" in error["message"]) == ("CONFLICT", True)
    await connect(tenant, "NYLAS", sid("grant-"), "agent@realty.example")
    without = await person(tenant, phone=phone_number())
    error = await sender.gql_error(SEND_EMAIL, {"personId": without, "subject": "Hi", "body": "Hello"})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert stubbed.nylas.since(mark) == []


async def calling(tenant: Tenant, stubbed: Providers) -> tuple[Tenant, str, str, str]:
    number, phone = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    return over(tenant, stubbed), number, phone, await person(tenant, phone=phone)


async def test_start_call_rings_the_agent_then_dials_the_person_and_callbacks_follow_it(
    tenant: Tenant, stubbed: Providers, hooks: httpx.AsyncClient
) -> None:
    caller, number, phone, person_id = await calling(tenant, stubbed)
    agent = phone_number()
    mark = len(stubbed.twilio.received)
    call = (await caller.gql(START_CALL, {"personId": person_id, "agentPhone": agent}))["startCall"]
    [request] = stubbed.twilio.since(mark)
    assert request.path.endswith("/Calls.json")
    assert (request.form["To"], request.form["From"]) == (agent, number)
    assert request.form["Twiml"] == (
        f'<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="{number}"><Number>{phone}</Number>'
        "</Dial></Response>"
    )
    assert request.form["StatusCallback"] == f"{PUBLIC_URL}/webhooks/twilio"
    assert request.form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert (call["channel"], call["direction"], call["subject"]) == ("CALL", "OUTBOUND", "Call queued")
    assert call["externalId"].startswith("CA")
    assert call["person"]["lastContactAt"] is not None
    # Twilio's callbacks about this call (To: the agent) update it; nobody new is created for the agent.
    callback = {"CallSid": call["externalId"], "From": number, "To": agent, "Direction": "outbound-api"}
    await post_twilio(hooks, callback | {"CallStatus": "completed", "CallDuration": "95"})
    [stored] = await communications(tenant, "CALL")
    assert (stored["id"], stored["subject"], stored["durationSeconds"]) == (call["id"], "Call completed", 95)
    people = (await tenant.gql("{ people(limit: 10) { pagination { total } } }"))["people"]
    assert people["pagination"]["total"] == 1


async def test_start_call_without_an_agent_phone_connects_the_person_to_the_browser(
    tenant: Tenant, stubbed: Providers
) -> None:
    caller, number, phone, person_id = await calling(tenant, stubbed)
    mark = len(stubbed.twilio.received)
    await caller.gql(START_CALL, {"personId": person_id})
    [request] = stubbed.twilio.since(mark)
    assert (request.form["To"], request.form["From"]) == (phone, number)
    user_id = (await tenant.gql("{ me { user { id } } }"))["me"]["user"]["id"]
    assert f"<Client>{user_id}</Client>" in request.form["Twiml"]


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_twilio_failure_places_no_call_on_record(
    tenant: Tenant, stubbed: Providers, failure: int | str
) -> None:
    caller, _, _, person_id = await calling(tenant, stubbed)
    stubbed.twilio.fail = failure
    error = await caller.gql_error(START_CALL, {"personId": person_id})
    assert error["extensions"]["code"] == "PROVIDER_ERROR"
    assert ("did not answer" if failure == HANG else "code 21211") in error["message"]
    assert await communications(tenant) == []


async def test_subscribers_hear_of_a_sent_email_after_it_commits(
    tenant: Tenant, stubbed: Providers, host: str
) -> None:
    sender, _, person_id = await mailing(tenant, stubbed)
    subscription = "subscription { communicationCreated(after: 0) { type actorId communication { subject } } }"
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        operation = await socket.subscribe(subscription)
        await sender.gql(SEND_EMAIL, {"personId": person_id, "subject": "Offer accepted", "body": "Congrats!"})
        event: dict[str, Any] = (await socket.next_data(operation))["communicationCreated"]
    assert event["type"] == "COMMUNICATION_CREATED"
    assert event["communication"] == {"subject": "Offer accepted"}
    assert event["actorId"] is not None
