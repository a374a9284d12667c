"""Outbound texts (issue 10, points 6 and 8): `sendSms` goes through the twilio SDK to a local stub of Twilio's
API that records what it received; a person who texted STOP is refused and the stub receives nothing; a
provider error records nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.factories import Tenant
from tests.live import free_port
from tests.providers import (
    PUBLIC_URL,
    communications,
    connect,
    hooks,
    phone_number,
    post_twilio,
    provider_settings,
    sms,
)
from winnerr.app import create_app
from winnerr.settings import Settings

__all__ = ["hooks"]

ACCOUNT_SID = "AC" + "1" * 32
SEND = """mutation($personId: ID!, $body: String!) { sendSms(personId: $personId, body: $body) {
  channel direction body externalId person { id } } }"""
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"


@dataclasses.dataclass
class TwilioStub:
    """What Twilio's Messages API received; `refuse` makes it answer 400 as Twilio does for a bad number."""

    received: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    refuse: bool = False

    async def messages(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        self.received.append({"path": request.url.path, "form": form, "auth": request.headers.get("authorization")})
        if self.refuse:
            error = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}
            return JSONResponse(error, status_code=400)
        sid = f"SM{len(self.received):032d}"
        return JSONResponse(
            {
                "sid": sid,
                "status": "queued",
                "to": form["To"],
                "from": form["From"],
                "body": form["Body"],
                "account_sid": ACCOUNT_SID,
            },
            status_code=201,
        )


@pytest.fixture(scope="module")
async def twilio_stub() -> AsyncIterator[tuple[TwilioStub, str]]:
    stub = TwilioStub()
    app = Starlette(routes=[Route("/2010-04-01/Accounts/{account}/Messages.json", stub.messages, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield stub, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def sending(settings: Settings, twilio_stub: tuple[TwilioStub, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app configured to send through the stub."""
    configured = provider_settings(settings).model_copy(
        update={"twilio_account_sid": ACCOUNT_SID, "twilio_api_base_url": twilio_stub[1]}
    )
    async with LifespanManager(create_app(configured)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def texting(tenant: Tenant, sending: httpx.AsyncClient) -> tuple[Tenant, str, str]:
    """The tenant over the sending app, its number, and a person with a phone."""
    number, phone = phone_number(), phone_number()
    await connect(tenant, "TWILIO", number)
    person = await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Tex", "lastName": "Ter", "phone": phone}})
    return dataclasses.replace(tenant, client=sending), number, person["createPerson"]["id"]


async def test_send_sms_goes_through_twilio_and_is_recorded(
    tenant: Tenant, sending: httpx.AsyncClient, twilio_stub: tuple[TwilioStub, str]
) -> None:
    stub, _ = twilio_stub
    sender, number, person_id = await texting(tenant, sending)
    before = len(stub.received)
    sent = (await sender.gql(SEND, {"personId": person_id, "body": "Your showing is at 3pm"}))["sendSms"]
    assert (sent["channel"], sent["direction"], sent["body"]) == ("SMS", "OUTBOUND", "Your showing is at 3pm")
    [request] = stub.received[before:]
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"]["From"] == number
    assert request["form"]["StatusCallback"] == f"{PUBLIC_URL}/webhooks/twilio"
    assert request["auth"].startswith("Basic ")
    assert sent["externalId"] == f"SM{len(stub.received):032d}"
    [recorded] = await communications(tenant)
    assert recorded["externalId"] == sent["externalId"]


async def test_stop_refuses_texts_and_nothing_reaches_twilio(
    tenant: Tenant, sending: httpx.AsyncClient, hooks: httpx.AsyncClient, twilio_stub: tuple[TwilioStub, str]
) -> None:
    stub, _ = twilio_stub
    sender, number, person_id = await texting(tenant, sending)
    [person] = (await tenant.gql("{ people(limit: 1) { items { phone } } }"))["people"]["items"]
    await post_twilio(hooks, sms(number, person["phone"], "STOP"))
    before = len(stub.received)
    error = await sender.gql_error(SEND, {"personId": person_id, "body": "Still interested?"})
    assert error["extensions"]["code"] == "CONFLICT"
    assert "opted out" in error["message"]
    assert stub.received[before:] == []
    assert [c["direction"] for c in await communications(tenant)] == ["INBOUND"]


async def test_a_provider_error_records_nothing(
    tenant: Tenant, sending: httpx.AsyncClient, twilio_stub: tuple[TwilioStub, str]
) -> None:
    stub, _ = twilio_stub
    sender, _, person_id = await texting(tenant, sending)
    stub.refuse = True
    try:
        error = await sender.gql_error(SEND, {"personId": person_id, "body": "Hello"})
    finally:
        stub.refuse = False
    assert error["extensions"]["code"] == "PROVIDER_ERROR"
    assert "21211" in error["message"]
    assert await communications(tenant) == []
