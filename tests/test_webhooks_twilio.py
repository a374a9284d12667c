"""Twilio's webhooks (issue 10, points 3-5 and 9): inbound texts, calls and recordings become communications
of the organization that owns the number, once however often they are delivered."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import Tenant
from tests.live import GraphQLSocket
from tests.providers import communications, connect, deliveries, hooks, phone_number, post_twilio, sid, sms

__all__ = ["hooks"]

PEOPLE = "{ people(limit: 100) { items { id firstName lastName phone status } pagination { total } } }"


def call(to: str, sender: str, call_sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "CallStatus": status,
        "Direction": "inbound",
        **extra,
    }


async def test_an_inbound_text_becomes_an_sms_from_a_new_lead(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number, sender = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    media = {
        "NumMedia": "2",
        "MediaUrl0": "https://api.twilio.com/m/1.jpg",
        "MediaUrl1": "https://api.twilio.com/m/2.jpg",
    }
    response = await post_twilio(hooks, sms(number, sender, "Hi, I saw your listing") | media)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.endswith("<Response />")
    [text] = await communications(tenant)
    assert (text["channel"], text["direction"], text["body"]) == ("SMS", "INBOUND", "Hi, I saw your listing")
    assert text["mediaUrls"] == ["https://api.twilio.com/m/1.jpg", "https://api.twilio.com/m/2.jpg"]
    person = text["person"]
    assert (person["phone"], person["status"], person["firstName"]) == (sender, "LEAD", "Unknown")
    assert person["customFields"] == {"intake": {"provider": "TWILIO", "channel": "SMS"}}
    assert person["lastContactAt"] is not None


async def test_a_redelivered_text_is_recorded_once(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    params = sms(number, phone_number())
    answers = await asyncio.gather(*(post_twilio(hooks, params) for _ in range(3)))
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(await communications(tenant)) == 1
    recorded = await deliveries(tenant)
    assert recorded["pagination"]["total"] == 1
    assert recorded["items"][0] | {"id": None, "appliedAt": None} == {
        "id": None,
        "provider": "TWILIO",
        "externalId": params["MessageSid"],
        "kind": "sms",
        "status": "APPLIED",
        "attempts": 1,
        "lastError": None,
        "appliedAt": None,
    }


async def test_an_unknown_number_becomes_one_lead_however_often_it_writes(
    hooks: httpx.AsyncClient, tenant: Tenant
) -> None:
    number, sender = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    answers = await asyncio.gather(*(post_twilio(hooks, sms(number, sender, f"message {n}")) for n in range(4)))
    assert {answer.status_code for answer in answers} == {200}
    people = (await tenant.gql(PEOPLE))["people"]
    assert people["pagination"]["total"] == 1
    assert people["items"][0]["phone"] == sender
    assert len(await communications(tenant)) == 4


async def test_a_text_from_a_known_person_is_theirs(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number, sender = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    created = await tenant.gql(
        "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }",
        {"input": {"firstName": "Ada", "lastName": "Lovelace", "phone": sender}},
    )
    await post_twilio(hooks, sms(number, sender))
    [text] = await communications(tenant)
    assert text["person"]["id"] == created["createPerson"]["id"]


async def test_call_callbacks_follow_one_call_and_its_recording(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number, caller, call_sid = phone_number(), phone_number(), sid("CA")
    await connect(tenant, "TWILIO", number)
    for status, extra in (("ringing", {}), ("in-progress", {}), ("completed", {"CallDuration": "42"})):
        response = await post_twilio(hooks, call(number, caller, call_sid, status, **extra))
        assert response.status_code == 200
        assert response.text.endswith("<Response />")
    late = await post_twilio(hooks, call(number, caller, call_sid, "in-progress"))
    assert late.status_code == 200
    recording = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": call_sid,
        "RecordingSid": sid("RE"),
        "RecordingUrl": "https://api.twilio.com/recordings/RE1",
        "RecordingStatus": "completed",
    }
    assert (await post_twilio(hooks, recording)).status_code == 200
    [phone_call] = await communications(tenant)
    assert (phone_call["channel"], phone_call["direction"], phone_call["externalId"]) == ("CALL", "INBOUND", call_sid)
    assert (phone_call["subject"], phone_call["durationSeconds"]) == ("Call completed", 42)
    assert phone_call["recordingUrl"] == "https://api.twilio.com/recordings/RE1"
    assert phone_call["person"]["phone"] == caller
    assert (await deliveries(tenant))["pagination"]["total"] == 4  # the late in-progress repeats a delivered status


async def test_a_text_to_another_organizations_number_stays_there(
    hooks: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    number = phone_number()
    await connect(other_tenant, "TWILIO", number)
    await post_twilio(hooks, sms(number, phone_number()))
    assert await communications(tenant) == []
    assert len(await communications(other_tenant)) == 1


async def test_subscribers_hear_of_a_text_after_it_commits(hooks: httpx.AsyncClient, tenant: Tenant, host: str) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    subscription = "subscription { communicationCreated(after: 0) { type actorId communication { body channel } } }"
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        operation = await socket.subscribe(subscription)  # after: 0 also replays what came before it listened
        await post_twilio(hooks, sms(number, phone_number(), "Can we see it Saturday?"))
        event = (await socket.next_data(operation))["communicationCreated"]
    assert event == {
        "type": "COMMUNICATION_CREATED",
        "actorId": None,
        "communication": {"body": "Can we see it Saturday?", "channel": "SMS"},
    }


async def test_stop_and_start_texts_set_the_persons_sms_consent(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number, sender = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    consent = "{ people(limit: 5) { items { phone smsConsent { status changedAt source } } } }"
    await post_twilio(hooks, sms(number, sender, "Hello"))
    [person] = (await tenant.gql(consent))["people"]["items"]
    assert person["smsConsent"] == {"status": "UNKNOWN", "changedAt": None, "source": None}
    await post_twilio(hooks, sms(number, sender, " stop "))
    [person] = (await tenant.gql(consent))["people"]["items"]
    assert (person["smsConsent"]["status"], person["smsConsent"]["source"]) == ("OPTED_OUT", "SMS:STOP")
    assert person["smsConsent"]["changedAt"] is not None
    await post_twilio(hooks, sms(number, sender, "Unstop"))
    [person] = (await tenant.gql(consent))["people"]["items"]
    assert (person["smsConsent"]["status"], person["smsConsent"]["source"]) == ("OPTED_IN", "SMS:UNSTOP")
    assert len(await communications(tenant)) == 3
