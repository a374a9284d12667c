"""Texts and calls through Twilio's own SDK: `messages.create_async`, `calls.create_async` and their
`list_async` for syncing. Every call goes through `_client`, which points the SDK at `TWILIO_API_BASE_URL`
and turns Twilio's refusals, timeouts and network failures into `ProviderError`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from winnerr.errors import ProviderError
from winnerr.settings import Settings

NOT_CONFIGURED = "Twilio is not configured on this server: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
SYNC_LIMIT = 1000
"""The most messages (and calls) one sync reads per number and direction."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    sid: str
    status: str


@dataclass(frozen=True, slots=True)
class PlacedCall:
    sid: str
    status: str


@dataclass(frozen=True, slots=True)
class ListedMessage:
    """A text as Twilio's Messages list gives it."""

    sid: str
    sender: str
    to: str
    body: str
    outbound: bool
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class ListedCall:
    """A call as Twilio's Calls list gives it; `duration` in seconds once it ended."""

    sid: str
    sender: str
    to: str
    status: str
    outbound: bool
    started_at: datetime | None
    duration: int | None


@asynccontextmanager
async def _client(settings: Settings, doing: str) -> AsyncIterator[Client]:
    """The SDK's client for one use; `doing` names it in the error ("send the text")."""
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        raise ProviderError(NOT_CONFIGURED)
    http_client = AsyncTwilioHttpClient(timeout=settings.provider_timeout_seconds)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    if settings.twilio_api_base_url is not None:
        client.api.base_url = str(settings.twilio_api_base_url).rstrip("/")
    try:
        async with asyncio.timeout(settings.provider_timeout_seconds):  # the async client ignores its own
            yield client
    except TwilioRestException as exc:
        raise ProviderError(f"Twilio refused to {doing} ({exc.status}, code {exc.code}): {exc.msg}") from exc
    except (TwilioException, TimeoutError, OSError) as exc:
        raise ProviderError(f"Twilio did not answer when asked to {doing}: {type(exc).__name__}") from exc
    finally:
        await http_client.close()


def _callback(status_callback: str | None) -> dict[str, str]:
    return {"status_callback": status_callback} if status_callback else {}


async def send_sms(settings: Settings, sender: str, to: str, body: str, status_callback: str | None) -> SentMessage:
    """Ask Twilio to send `body` from our number `sender` to `to`; its status callbacks go to `status_callback`."""
    async with _client(settings, "send the text") as client:
        message = await client.messages.create_async(to=to, from_=sender, body=body, **_callback(status_callback))
    return SentMessage(sid=str(message.sid), status=str(message.status))


async def start_call(settings: Settings, sender: str, to: str, twiml: str, status_callback: str | None) -> PlacedCall:
    """Ask Twilio to ring `to` from our number `sender` and, once answered, run `twiml`; the call's status
    callbacks (initiated, ringing, answered, completed) go to `status_callback`."""
    callbacks = {"status_callback_event": CALL_EVENTS, **_callback(status_callback)} if status_callback else {}
    async with _client(settings, "place the call") as client:
        call = await client.calls.create_async(to=to, from_=sender, twiml=twiml, **callbacks)
    return PlacedCall(sid=str(call.sid), status=str(call.status))


async def recent_messages(settings: Settings, number: str, since: datetime) -> list[ListedMessage]:
    """The texts sent to or from our `number` since `since`."""
    async with _client(settings, "list the texts") as client:
        received = await client.messages.list_async(to=number, date_sent_after=since, limit=SYNC_LIMIT)
        sent = await client.messages.list_async(from_=number, date_sent_after=since, limit=SYNC_LIMIT)
    return [
        ListedMessage(
            sid=str(m.sid),
            sender=str(m.from_ or ""),
            to=str(m.to or ""),
            body=str(m.body or ""),
            outbound=str(m.direction or "").startswith("outbound"),
            sent_at=m.date_sent or m.date_created,
        )
        for m in [*received, *sent]
    ]


async def recent_calls(settings: Settings, number: str, since: datetime) -> list[ListedCall]:
    """The calls to or from our `number` that started since `since`."""
    async with _client(settings, "list the calls") as client:
        received = await client.calls.list_async(to=number, start_time_after=since, limit=SYNC_LIMIT)
        placed = await client.calls.list_async(from_=number, start_time_after=since, limit=SYNC_LIMIT)
    return [
        ListedCall(
            sid=str(c.sid),
            sender=str(c._from or ""),
            to=str(c.to or ""),
            status=str(c.status or ""),
            outbound=str(c.direction or "").startswith("outbound"),
            started_at=c.start_time or c.date_created,
            duration=int(c.duration) if c.duration and str(c.duration).isdigit() else None,
        )
        for c in [*received, *placed]
        if c.direction != "outbound-dial"  # the leg a <Dial> made is part of its parent call
    ]
