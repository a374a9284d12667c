"""Local stand-ins for Twilio's REST API and Nylas's v3 API, served on a real port: they record every request
they receive and answer in the providers' own formats, so the outbound code runs the twilio SDK and httpx
unchanged. `fail` makes the next answers an HTTP error (400, 500) or a hang longer than the app's timeout."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.live import running
from tests.providers import provider_settings
from winnerr.app import create_app
from winnerr.settings import Settings

ACCOUNT_SID = "AC" + "1" * 32
NYLAS_API_KEY = "nylas-test-api-key"
TIMEOUT_SECONDS = 0.5
HANG = "hang"


@dataclasses.dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, Any]
    json: Any
    auth: str | None


@dataclasses.dataclass
class Stub:
    """What a stub received, and how it answers next: normally, `fail` = 400/500 (with the provider's error
    body) or HANG (slower than the app's provider timeout)."""

    received: list[Received] = dataclasses.field(default_factory=list)
    fail: int | str | None = None

    async def take(self, request: Request) -> Received:
        body = await request.body()
        form: dict[str, Any] = {}
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            multi = await request.form()
            form = {key: (values if len(values := multi.getlist(key)) > 1 else values[0]) for key in multi}
        content = json.loads(body) if body and request.headers.get("content-type") == "application/json" else None
        received = Received(
            request.method, request.url.path, dict(request.query_params), form, content,
            request.headers.get("authorization"),
        )
        self.received.append(received)
        if self.fail == HANG:
            await asyncio.sleep(TIMEOUT_SECONDS * 4)
        return received

    def since(self, mark: int) -> list[Received]:
        return self.received[mark:]


@dataclasses.dataclass
class TwilioStub(Stub):
    """Twilio's Messages and Calls resources; `messages` and `calls` are what their list endpoints hold."""

    messages: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def error(self) -> Response | None:
        if isinstance(self.fail, int):
            body = {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": self.fail}
            return JSONResponse(body, status_code=self.fail)
        return None

    async def create_message(self, request: Request) -> Response:
        form = (await self.take(request)).form
        sid = f"SM{len(self.received):032d}"
        body = {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"], "body": form["Body"]}
        return self.error() or JSONResponse(body | {"account_sid": ACCOUNT_SID}, status_code=201)

    async def create_call(self, request: Request) -> Response:
        form = (await self.take(request)).form
        sid = f"CA{len(self.received):032d}"
        body = {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"], "direction": "outbound-api"}
        return self.error() or JSONResponse(body | {"account_sid": ACCOUNT_SID}, status_code=201)

    async def list_messages(self, request: Request) -> Response:
        return self.error() or self._page("messages", self.messages, await self.take(request))

    async def list_calls(self, request: Request) -> Response:
        return self.error() or self._page("calls", self.calls, await self.take(request))

    def _page(self, key: str, records: list[dict[str, Any]], received: Received) -> JSONResponse:
        wanted = [
            record
            for record in records
            if received.query.get("To", record["to"]) == record["to"]
            and received.query.get("From", record["from"]) == record["from"]
        ]
        return JSONResponse({key: wanted, "next_page_uri": None, "page": 0, "page_size": 50})

    def routes(self) -> list[Route]:
        account = "/2010-04-01/Accounts/{account}"
        return [
            Route(f"{account}/Messages.json", self.create_message, methods=["POST"]),
            Route(f"{account}/Messages.json", self.list_messages, methods=["GET"]),
            Route(f"{account}/Calls.json", self.create_call, methods=["POST"]),
            Route(f"{account}/Calls.json", self.list_calls, methods=["GET"]),
        ]


def twilio_time(moment: Any) -> str:
    """A time as Twilio's JSON writes it (RFC 2822)."""
    return format_datetime(moment)


@dataclasses.dataclass
class NylasStub(Stub):
    """Nylas's send, messages and events endpoints; `messages` is what the messages list holds per grant
    (served `page_size` at a time, with `next_cursor`)."""

    messages: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    page_size: int = 2

    def error(self) -> Response | None:
        if isinstance(self.fail, int):
            body = {"request_id": "req-1", "error": {"type": "invalid_request", "message": "Grant not found"}}
            return JSONResponse(body, status_code=self.fail)
        return None

    async def send(self, request: Request) -> Response:
        received = await self.take(request)
        number = len(self.received)
        data = {
            "id": f"msg-{number}",
            "grant_id": request.path_params["grant"],
            "thread_id": f"thread-{number}",
            "subject": received.json["subject"],
            "to": received.json["to"],
            "headers": [{"name": "Message-ID", "value": f"<sent-{number}@mail.example>"}],
        }
        return self.error() or JSONResponse({"request_id": "req-1", "grant_id": data["grant_id"], "data": data})

    async def list_messages(self, request: Request) -> Response:
        received = await self.take(request)
        held = self.messages.get(request.path_params["grant"], [])
        start = int(received.query.get("page_token", "0"))
        page = held[start : start + self.page_size]
        following = str(start + self.page_size) if start + self.page_size < len(held) else None
        return self.error() or JSONResponse({"request_id": "req-1", "data": page, "next_cursor": following})

    async def create_event(self, request: Request) -> Response:
        received = await self.take(request)
        data = received.json | {"id": f"evt-{len(self.received)}", "calendar_id": received.query["calendar_id"]}
        return self.error() or JSONResponse({"request_id": "req-1", "data": data})

    async def update_event(self, request: Request) -> Response:
        received = await self.take(request)
        data = received.json | {"id": request.path_params["event"], "calendar_id": received.query["calendar_id"]}
        return self.error() or JSONResponse({"request_id": "req-1", "data": data})

    async def delete_event(self, request: Request) -> Response:
        await self.take(request)
        return self.error() or JSONResponse({"request_id": "req-1"})

    def routes(self) -> list[Route]:
        grant = "/v3/grants/{grant}"
        return [
            Route(f"{grant}/messages/send", self.send, methods=["POST"]),
            Route(f"{grant}/messages", self.list_messages, methods=["GET"]),
            Route(f"{grant}/events", self.create_event, methods=["POST"]),
            Route(f"{grant}/events/{{event}}", self.update_event, methods=["PUT"]),
            Route(f"{grant}/events/{{event}}", self.delete_event, methods=["DELETE"]),
        ]


@asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[str]:
    """Serve `app` on a free local port; its base URL."""
    async with running(app) as (port, _):
        yield f"http://127.0.0.1:{port}"


@dataclasses.dataclass
class Providers:
    """Both stubs, and a client of the app configured to call them (with every webhook secret, too)."""

    twilio: TwilioStub
    nylas: NylasStub
    client: httpx.AsyncClient


@asynccontextmanager
async def providers_app(settings: Settings) -> AsyncIterator[Providers]:
    twilio, nylas = TwilioStub(), NylasStub()
    async with serve(Starlette(routes=twilio.routes())) as twilio_url, serve(
        Starlette(routes=nylas.routes())
    ) as nylas_url:
        configured = provider_settings(settings).model_copy(
            update={
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_api_base_url": twilio_url,
                "nylas_api_url": nylas_url,
                "nylas_api_key": NYLAS_API_KEY,
                "provider_timeout_seconds": TIMEOUT_SECONDS,
            }
        )
        async with LifespanManager(create_app(configured)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield Providers(twilio, nylas, client)


@pytest.fixture(scope="module")
async def stubbed_app(settings: Settings) -> AsyncIterator[Providers]:
    async with providers_app(settings) as providers:
        yield providers


@pytest.fixture
async def stubbed(stubbed_app: Providers) -> AsyncIterator[Providers]:
    """The stubs and the app calling them; the stubs answer normally again after each test."""
    yield stubbed_app
    stubbed_app.twilio.fail = stubbed_app.nylas.fail = None
