"""`LeanWebSocketProtocol`: uvicorn's websockets-sansio connection, holding less for a socket's life.

A subscribed socket stays open for hours, so what its connection keeps is multiplied by every socket of the
process (issue 13: at most 30 KiB a socket). uvicorn's connection keeps the handshake's request and response
(their headers, ~3.5 KiB) after the handshake, and receives through an `asyncio.Queue` and
waits for the transport through an `asyncio.Event`: five deques of ~0.7 KiB each, for a queue that holds
at most a message or two and one reader. This subclass forgets the handshake once it is accepted and swaps the
queue and the event for the little they are used as (`Inbox`, `Flag`); everything else is uvicorn's. websockets'
parser keeps the handshake's request too (a local of its generator): an accepted connection gets a fresh one.

Checked against uvicorn 0.54.0 (the pinned one), whose `WebSocketsSansIOProtocol` uses of `queue` only
`put_nowait`, `get` and `empty`, of `writable` only `set`, `clear`, `is_set` and `wait`, and reads `request`
and `response` only while the handshake is not complete; and against websockets 17.4, whose `ServerProtocol.parse`
goes straight to the frames once the connection is open. tests/test_websockets.py checks that a socket served
by it subscribes and receives, and holds neither the handshake nor uvicorn's queue and event.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn._types import ASGIReceiveEvent, ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader


class Inbox:
    """The messages received and not yet read by the app: what uvicorn's protocol asks of its queue."""

    __slots__ = ("_messages", "_readers")

    def __init__(self) -> None:
        self._messages: list[ASGIReceiveEvent] = []
        self._readers: list[asyncio.Future[None]] = []

    def put_nowait(self, message: ASGIReceiveEvent) -> None:
        self._messages.append(message)
        self._wake_one()

    def empty(self) -> bool:
        return not self._messages

    async def get(self) -> ASGIReceiveEvent:
        while not self._messages:
            reader = asyncio.get_running_loop().create_future()
            self._readers.append(reader)
            try:
                await reader
            finally:
                self._readers.remove(reader)
                if self._messages:  # a reader cancelled after being woken passes the message on
                    self._wake_one()
        return self._messages.pop(0)

    def _wake_one(self) -> None:
        for reader in self._readers:
            if not reader.done():
                reader.set_result(None)
                return


class Flag:
    """Whether the transport takes writes: what uvicorn's protocol asks of its `asyncio.Event`."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        if self._set:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol with an `Inbox` and a `Flag`, forgetting its handshake once accepted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag()  # type: ignore[assignment]

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            del self.request, self.response  # read only until the handshake completes
            _renew_parser(self.conn)


def _renew_parser(connection: ServerProtocol) -> None:
    """Give an open connection a parser of its own state: websockets' first one keeps the handshake's request in
    its frame for the connection's life. Only between frames (the old one waits for data with none buffered, as it
    does when the handshake has just been accepted): its state is then all the connection's."""
    waiting: Any = connection.parser  # a generator, and the one it delegates to, down to what it waits in
    while (inner := waiting.gi_yieldfrom) is not None:
        waiting = inner
    if connection.state is State.OPEN and waiting.gi_code is _BETWEEN_FRAMES and not connection.reader.buffer:
        connection.parser = connection.parse()
        next(connection.parser)  # started, as websockets starts its own


_BETWEEN_FRAMES = StreamReader.at_eof.__code__
