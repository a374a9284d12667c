"""The inbox's second chances (issue 10, point 3): a delivery that failed to apply keeps its error and still
answers 2xx, and `winnerr webhooks replay` applies it once the cause is gone; one that matched no
organization waits until its account is connected."""

from __future__ import annotations

import httpx

from tests.cli import failed, succeeded, winnerr_async
from tests.factories import Tenant
from tests.providers import communications, connect, deliveries, hooks, phone_number, post_twilio, sid, sms

__all__ = ["hooks"]

LOG = """mutation($input: LogCommunicationInput!) { logCommunication(input: $input) { id person { id } } }"""
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"
DELETE_PERSON = "mutation($id: ID!) { deletePerson(id: $id) }"


async def test_an_unmatched_delivery_replays_once_its_number_is_connected(
    hooks: httpx.AsyncClient, tenant: Tenant, cli_env: dict[str, str]
) -> None:
    number = phone_number()
    params = sms(number, phone_number(), "Anyone there?")
    response = await post_twilio(hooks, params)
    assert response.status_code == 200
    assert succeeded(await winnerr_async(cli_env, "webhooks", "replay", "--provider", "twilio")).startswith("Replayed")
    await connect(tenant, "TWILIO", number)
    assert await communications(tenant) == []
    out = succeeded(await winnerr_async(cli_env, "webhooks", "replay", "--provider", "twilio"))
    assert "1 applied" in out, out
    [text] = await communications(tenant)
    assert (text["body"], text["externalId"]) == ("Anyone there?", params["MessageSid"])
    [delivery] = (await deliveries(tenant))["items"]
    assert (delivery["status"], delivery["attempts"]) == ("APPLIED", 3)
    again = succeeded(await winnerr_async(cli_env, "webhooks", "replay", "--id", delivery["id"]))
    assert again == "Replayed 0: 0 applied, 0 failed, 0 unmatched"
    assert len(await communications(tenant)) == 1


async def test_a_failed_delivery_keeps_its_error_and_replays(
    hooks: httpx.AsyncClient, tenant: Tenant, cli_env: dict[str, str]
) -> None:
    number, caller, call_sid = phone_number(), phone_number(), sid("CA")
    await connect(tenant, "TWILIO", number)
    person = (await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Note", "lastName": "Taker"}}))["createPerson"]
    note = {"personId": person["id"], "channel": "NOTE", "direction": "OUTBOUND", "externalId": call_sid}
    await tenant.gql(LOG, {"input": note})
    params = {"CallSid": call_sid, "From": caller, "To": number, "CallStatus": "completed", "Direction": "inbound"}
    response = await post_twilio(hooks, params)
    assert response.status_code == 200, response.text
    [delivery] = (await deliveries(tenant, status="FAILED"))["items"]
    assert delivery["lastError"] == "DuplicateRecord: A communication with this externalId already exists"
    assert [c["channel"] for c in await communications(tenant)] == ["NOTE"]

    still = succeeded(await winnerr_async(cli_env, "webhooks", "replay", "--id", delivery["id"]))
    assert still == "Replayed 1: 0 applied, 1 failed, 0 unmatched"
    await tenant.gql(DELETE_PERSON, {"id": person["id"]})
    done = succeeded(await winnerr_async(cli_env, "webhooks", "replay", "--id", delivery["id"]))
    assert done == "Replayed 1: 1 applied, 0 failed, 0 unmatched"
    [phone_call] = await communications(tenant)
    assert (phone_call["channel"], phone_call["externalId"], phone_call["person"]["phone"]) == (
        "CALL",
        call_sid,
        caller,
    )
    [applied] = (await deliveries(tenant))["items"]
    assert (applied["status"], applied["attempts"], applied["lastError"]) == ("APPLIED", 3, None)


async def test_replay_refuses_a_malformed_id(cli_env: dict[str, str]) -> None:
    assert "--id" in failed(await winnerr_async(cli_env, "webhooks", "replay", "--id", "nope"))
