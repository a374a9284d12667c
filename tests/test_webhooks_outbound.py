"""Outbound texts (issue 10, points 6 and 8): `sendSms` goes through the twilio SDK to a local stub of Twilio's
API that records what it received; a person who texted STOP is refused and the stub receives nothing; a
provider error records nothing."""

from __future__ import annotations

import dataclasses

import httpx

from tests.factories import Tenant
from tests.providers import PUBLIC_URL, communications, connect, hooks, phone_number, post_twilio, sms
from tests.stubs import ACCOUNT_SID, Providers, stubbed, stubbed_app

__all__ = ["hooks", "stubbed", "stubbed_app"]

SEND = """mutation($personId: ID!, $body: String!) { sendSms(personId: $personId, body: $body) {
  channel direction body externalId person { id } } }"""
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"


async def texting(tenant: Tenant, stubbed: Providers) -> tuple[Tenant, str, str]:
    """The tenant over the app that calls the stubs, its number, and a person with a phone."""
    number, phone = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    person = await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Tex", "lastName": "Ter", "phone": phone}})
    return dataclasses.replace(tenant, client=stubbed.client), number, person["createPerson"]["id"]


async def test_send_sms_goes_through_twilio_and_is_recorded(tenant: Tenant, stubbed: Providers) -> None:
    stub = stubbed.twilio
    sender, number, person_id = await texting(tenant, stubbed)
    before = len(stub.received)
    sent = (await sender.gql(SEND, {"personId": person_id, "body": "Your showing is at 3pm"}))["sendSms"]
    assert (sent["channel"], sent["direction"], sent["body"]) == ("SMS", "OUTBOUND", "Your showing is at 3pm")
    [request] = stub.since(before)
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form["From"] == number
    assert request.form["StatusCallback"] == f"{PUBLIC_URL}/webhooks/twilio"
    assert request.auth is not None
    assert request.auth.startswith("Basic ")
    assert sent["externalId"] == f"SM{len(stub.received):032d}"
    [recorded] = await communications(tenant)
    assert recorded["externalId"] == sent["externalId"]


async def test_stop_refuses_texts_and_nothing_reaches_twilio(
    tenant: Tenant, stubbed: Providers, hooks: httpx.AsyncClient
) -> None:
    sender, number, person_id = await texting(tenant, stubbed)
    [person] = (await tenant.gql("{ people(limit: 1) { items { phone } } }"))["people"]["items"]
    await post_twilio(hooks, sms(number, person["phone"], "STOP"))
    before = len(stubbed.twilio.received)
    error = await sender.gql_error(SEND, {"personId": person_id, "body": "Still interested?"})
    assert error["extensions"]["code"] == "CONFLICT"
    assert "opted out" in error["message"]
    assert stubbed.twilio.since(before) == []
    assert [c["direction"] for c in await communications(tenant)] == ["INBOUND"]


async def test_a_provider_error_records_nothing(tenant: Tenant, stubbed: Providers) -> None:
    sender, _, person_id = await texting(tenant, stubbed)
    stubbed.twilio.fail = 400
    error = await sender.gql_error(SEND, {"personId": person_id, "body": "Hello"})
    assert error["extensions"]["code"] == "PROVIDER_ERROR"
    assert "21211" in error["message"]
    assert await communications(tenant) == []
