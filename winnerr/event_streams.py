"""GraphQL subscriptions over Server-Sent Events (GraphQL over SSE, distinct connections mode), for networks
whose proxies block websockets: `POST /graphql` with `Accept: text/event-stream` and a Bearer token.

Strawberry's SSE transport streams the results (`event: next`, then `event: complete`); here, an event stream
is held to what a websocket is: the token was verified by the authentication middleware, the stream counts as
one of the member's sockets (`OpenSockets`, whose membership re-checks end it once the membership has ended),
and it ends when its token expires. `after` replays as over a websocket: it is the same subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError
from strawberry.http.streaming import SSETransport

from winnerr.context import Context
from winnerr.state import AppState
from winnerr.subscriptions.sockets import TooMany

EVENT_STREAM = "text/event-stream"
Stream = Callable[[], AsyncIterator[str]]


def is_event_stream(headers: dict[str, str]) -> bool:
    return any(key.lower() == "content-type" and value == EVENT_STREAM for key, value in headers.items())


def held_to_its_bounds(context: Context, state: AppState, stream: Stream) -> Stream:
    """`stream`, counted among the member's sockets while it runs, ended when the context is disconnected
    (membership ended, token expired, slow consumer); refused with an error event above the member's bound."""

    async def bounded() -> AsyncIterator[str]:
        ended = context.stream_ended = asyncio.Event()
        try:
            await state.sockets.add(context)
        except TooMany as error:
            yield _error_event(error)
            return
        expiry = asyncio.get_running_loop().call_later(_seconds_left(context), ended.set)
        try:
            async for chunk in _until(stream(), ended):
                yield chunk
        finally:
            expiry.cancel()
            state.sockets.remove(context)

    return bounded


async def _until(source: AsyncIterator[str], ended: asyncio.Event) -> AsyncIterator[str]:
    """The chunks of `source` until it ends or `ended` is set, whichever comes first."""
    stop = asyncio.ensure_future(ended.wait())
    step: asyncio.Future[str] | None = None
    try:
        while True:
            step = asyncio.ensure_future(anext(source))
            await asyncio.wait({step, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                return
            try:
                chunk = step.result()
            except StopAsyncIteration:
                return
            yield chunk
    finally:
        await _cancelled(stop, step)
        with contextlib.suppress(AttributeError):
            await source.aclose()  # type: ignore[attr-defined]


async def _cancelled(*tasks: asyncio.Future[Any] | None) -> None:
    for task in tasks:
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _seconds_left(context: Context) -> float:
    return max(0.0, (context.principal.expires_at - datetime.now(UTC)).total_seconds())


def _error_event(error: TooMany) -> str:
    payload = {"errors": [GraphQLError(error.message, extensions=error.extensions).formatted]}
    transport = SSETransport()
    return transport.encode_event("next", json.dumps(payload)) + transport.encode_complete()
