"""`syncCommunications` (issue 10, point 7): texts and calls from Twilio's list APIs (through the twilio SDK)
and messages from Nylas's messages API, each against a local stub; upserted by externalId, so running it
twice changes nothing, and a provider's failure stores nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.factories import Tenant
from tests.providers import communications, connect, hooks, phone_number, post_twilio, sid, sms
from tests.stubs import Providers, stubbed, stubbed_app, twilio_time

__all__ = ["hooks", "stubbed", "stubbed_app"]

SYNC = """mutation($provider: IntegrationProvider!, $since: DateTime) {
  syncCommunications(provider: $provider, since: $since) { provider fetched created updated skipped } }"""
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"
PEOPLE = "{ people(limit: 100) { items { firstName lastName phone status lastContactAt } } }"


def counts(fetched: int, created: int, updated: int, skipped: int, provider: str = "TWILIO") -> dict[str, Any]:
    return {"provider": provider, "fetched": fetched, "created": created, "updated": updated, "skipped": skipped}


async def sync(tenant: Tenant, stubbed: Providers, provider: str) -> dict[str, Any]:
    syncer = dataclasses.replace(tenant, client=stubbed.client)
    result: dict[str, Any] = (await syncer.gql(SYNC, {"provider": provider}))["syncCommunications"]
    return result


def twilio_records(number: str, stranger: str, client_phone: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    an_hour_ago = twilio_time(datetime.now(UTC) - timedelta(hours=1))
    messages = [
        {"sid": sid("SM"), "from": stranger, "to": number, "body": "Is it still for sale?", "direction": "inbound",
         "status": "received", "date_sent": an_hour_ago},
        {"sid": sid("SM"), "from": number, "to": client_phone, "body": "Showing at 3pm", "direction": "outbound-api",
         "status": "delivered", "date_sent": an_hour_ago},
    ]
    call = {"sid": sid("CA"), "from": client_phone, "to": number, "status": "in-progress", "direction": "inbound",
            "start_time": an_hour_ago, "duration": None}
    return messages, call


async def test_twilio_sync_stores_what_the_webhooks_missed_once(
    tenant: Tenant, stubbed: Providers, hooks: httpx.AsyncClient
) -> None:
    number, stranger, client_phone = phone_number(), phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Cleo", "lastName": "Client", "phone": client_phone}})
    messages, call = twilio_records(number, stranger, client_phone)
    webhook_text = sms(number, client_phone, "Thanks!")  # already delivered by its webhook
    messages.append({"sid": webhook_text["MessageSid"], "from": client_phone, "to": number, "body": "Thanks!",
                     "direction": "inbound", "status": "received", "date_sent": messages[0]["date_sent"]})
    await post_twilio(hooks, webhook_text)
    stubbed.twilio.messages += messages
    stubbed.twilio.calls.append(call)
    mark = len(stubbed.twilio.received)

    assert await sync(tenant, stubbed, "TWILIO") == counts(4, 3, 0, 1)
    queries = [request.query for request in stubbed.twilio.since(mark)]
    assert [(q.get("To"), q.get("From")) for q in queries] == [(number, None), (None, number)] * 2
    assert all("DateSent>" in q for q in queries[:2])
    assert all("StartTime>" in q for q in queries[2:])
    stored = await communications(tenant)
    assert sorted((c["channel"], c["direction"], c["body"] or c["subject"]) for c in stored) == [
        ("CALL", "INBOUND", "Call in-progress"),
        ("SMS", "INBOUND", "Is it still for sale?"),
        ("SMS", "INBOUND", "Thanks!"),
        ("SMS", "OUTBOUND", "Showing at 3pm"),
    ]
    people = (await tenant.gql(PEOPLE))["people"]["items"]
    lead = next(p for p in people if p["phone"] == stranger)
    assert (lead["status"], lead["firstName"]) == ("LEAD", "Unknown")
    assert all(p["lastContactAt"] is not None for p in people)

    assert await sync(tenant, stubbed, "TWILIO") == counts(4, 0, 0, 4)
    assert len(await communications(tenant)) == 4

    call |= {"status": "completed", "duration": "125"}
    assert await sync(tenant, stubbed, "TWILIO") == counts(4, 0, 1, 3)
    [stored_call] = await communications(tenant, "CALL")
    assert (stored_call["subject"], stored_call["durationSeconds"]) == ("Call completed", 125)


def nylas_message(address: str, message_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": sid("msg-"),
        "subject": "About the listing",
        "body": "Could we talk?",
        "thread_id": "thread-1",
        "date": int(datetime.now(UTC).timestamp()) - 600,
        "from": [{"email": address}],
        "to": [{"email": "agent@realty.example"}],
        "headers": [{"name": "Message-ID", "value": message_id}],
        **fields,
    }


async def test_nylas_sync_reads_every_page_of_every_mailbox_and_stores_each_message_once(
    tenant: Tenant, stubbed: Providers
) -> None:
    first, second = sid("grant-"), sid("grant-")
    await connect(tenant, "NYLAS", first, "agent@realty.example")
    await connect(tenant, "NYLAS", second, "office@realty.example")
    await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Dana", "lastName": "B", "email": "dana@buyer.example"}})
    seen_twice = nylas_message("dana@buyer.example", f"<{sid('a')}@mail.example>")
    reply = nylas_message(
        "agent@realty.example", f"<{sid('b')}@mail.example>", to=[{"email": "dana@buyer.example"}], body="Sure!"
    )
    stubbed.nylas.messages[first] = [seen_twice, nylas_message("stranger@else.example", "<c@mail.example>"), reply]
    stubbed.nylas.messages[second] = [seen_twice | {"id": sid("msg-")}]
    mark = len(stubbed.nylas.received)

    assert await sync(tenant, stubbed, "NYLAS") == counts(4, 2, 0, 2, "NYLAS")
    requests = stubbed.nylas.since(mark)
    assert [(r.path, r.query.get("page_token")) for r in requests] == [
        (f"/v3/grants/{first}/messages", None),
        (f"/v3/grants/{first}/messages", "2"),
        (f"/v3/grants/{second}/messages", None),
    ]
    assert all(r.query["fields"] == "include_headers" and "received_after" in r.query for r in requests)
    stored = await communications(tenant, "EMAIL")
    assert sorted((c["direction"], c["body"]) for c in stored) == [("INBOUND", "Could we talk?"), ("OUTBOUND", "Sure!")]

    assert await sync(tenant, stubbed, "NYLAS") == counts(4, 0, 0, 4, "NYLAS")
    reply["body"] = "Sure, at 3pm!"
    assert await sync(tenant, stubbed, "NYLAS") == counts(4, 0, 1, 3, "NYLAS")
    assert len(await communications(tenant, "EMAIL")) == 2


async def test_a_failing_provider_stores_nothing(tenant: Tenant, stubbed: Providers) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    messages, _ = twilio_records(number, phone_number(), phone_number())
    stubbed.twilio.messages += messages
    stubbed.twilio.fail = 500
    error = await dataclasses.replace(tenant, client=stubbed.client).gql_error(SYNC, {"provider": "TWILIO"})
    assert error["extensions"]["code"] == "PROVIDER_ERROR"
    assert await communications(tenant) == []
    assert (await tenant.gql(PEOPLE))["people"]["items"] == []


async def test_sync_refuses_stripe_and_times_out_of_range(tenant: Tenant, stubbed: Providers) -> None:
    syncer = dataclasses.replace(tenant, client=stubbed.client)
    mark = len(stubbed.twilio.received) + len(stubbed.nylas.received)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for variables in ({"provider": "STRIPE"}, {"provider": "TWILIO", "since": tomorrow}):
        error = await syncer.gql_error(SYNC, variables)
        assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert len(stubbed.twilio.received) + len(stubbed.nylas.received) == mark
