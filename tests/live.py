"""Live-update test helpers: a real uvicorn serving the app, and a GraphQL websocket client speaking
either subprotocol."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from winnerr.app import create_app
from winnerr.lean_websocket import LeanWebSocketProtocol
from winnerr.one_write import OneWriteHttpProtocol
from winnerr.settings import Settings
from winnerr.state import STATE_KEY, AppState

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = (TRANSPORT_WS, LEGACY_WS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[str]:
    """The app on a real uvicorn on a free port, in this event loop; yields its host:port."""
    async with served_app(settings) as (host, _):
        yield host


@asynccontextmanager
async def served_app(settings: Settings) -> AsyncIterator[tuple[str, AppState]]:
    """Like `served`, also yielding the running app's state (its database, hub, presence)."""
    async with served_server(settings) as (host, server):
        yield host, server.lifespan.state[STATE_KEY]


@asynccontextmanager
async def served_server(settings: Settings) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """Like `served`, also yielding the server; its connections are `winnerr serve`'s (`OneWriteHttpProtocol`,
    `LeanWebSocketProtocol`)."""
    protocols = {"http": OneWriteHttpProtocol, "ws": LeanWebSocketProtocol}
    async with running(create_app(settings), lifespan="on", **protocols) as (port, server):
        yield f"127.0.0.1:{port}", server


@asynccontextmanager
async def running(app: Any, **options: Any) -> AsyncIterator[tuple[int, uvicorn.Server]]:
    """Any ASGI app on a real uvicorn on a free port, in this event loop, until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield port, server
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def _initialised(
    host: str, token: str | None, protocol: str, origin: str | None
) -> AsyncIterator[ClientConnection]:
    """A websocket to /graphql that has sent `connection_init` with the token (if any)."""
    headers = {"Origin": origin} if origin else None
    subprotocol = Subprotocol(protocol)
    async with websockets.connect(f"ws://{host}/graphql", subprotocols=[subprotocol], additional_headers=headers) as ws:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


class GraphQLSocket:
    """One websocket, either subprotocol: `subscribe` sends an operation, `next_data` reads its results."""

    def __init__(self, connection: ClientConnection, protocol: str) -> None:
        self.connection = connection
        self.protocol = protocol
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @asynccontextmanager
    async def open(
        cls, host: str, token: str | None, *, protocol: str = TRANSPORT_WS, origin: str | None = None
    ) -> AsyncIterator[GraphQLSocket]:
        async with _initialised(host, token, protocol, origin) as ws:
            acknowledged = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert acknowledged["type"] == "connection_ack", acknowledged
            client = cls(ws, protocol)
            try:
                yield client
            finally:
                client._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await client._reader

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation_id = str(next(self._ids))
        self._pending[operation_id] = asyncio.Queue()
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.connection.send(json.dumps({"id": operation_id, "type": kind, "payload": payload}))
        return operation_id

    async def next_data(self, operation_id: str, wait: float = 5) -> dict[str, Any]:
        message = await self.next_message(operation_id, wait)
        assert message["type"] in ("next", "data"), message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def next_message(self, operation_id: str, wait: float = 5) -> dict[str, Any]:
        return await asyncio.wait_for(self._pending[operation_id].get(), wait)

    async def nothing_for(self, operation_id: str, seconds: float) -> bool:
        """Whether the operation received nothing for `seconds`."""
        await asyncio.sleep(seconds)
        return self._pending[operation_id].empty()

    async def closed(self) -> None:
        """Wait until the server has closed the socket."""
        await self._reader

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._read_messages()

    async def _read_messages(self) -> None:
        async for raw in self.connection:
            message = json.loads(raw)
            if message.get("id") in self._pending:
                await self._pending[message["id"]].put(message)


async def closed_with(
    host: str, token: str | None, *, protocol: str = TRANSPORT_WS, origin: str | None = None, wait: float = 15
) -> tuple[int | None, str]:
    """Connect, send connection_init, and wait for the server to close the socket; its code and reason."""
    try:
        async with _initialised(host, token, protocol, origin) as ws:
            with contextlib.suppress(websockets.ConnectionClosed):
                async with asyncio.timeout(wait):
                    async for _ in ws:
                        pass
            return (ws.close_code, ws.close_reason or "")
    except websockets.InvalidStatus as refused:
        return (refused.response.status_code, "handshake refused")


async def init_answer(
    host: str, init: dict[str, Any], *, protocol: str = TRANSPORT_WS, wait: float = 10
) -> tuple[list[dict[str, Any]], int | None, str]:
    """Send `init` as the first message; what the server answered until it closed, and its close code and
    reason (None if it did not close within `wait` seconds)."""
    async with websockets.connect(f"ws://{host}/graphql", subprotocols=[Subprotocol(protocol)]) as ws:
        await ws.send(json.dumps(init))
        answers: list[dict[str, Any]] = []
        with contextlib.suppress(websockets.ConnectionClosed, TimeoutError):
            async with asyncio.timeout(wait):
                async for raw in ws:
                    answers.append(json.loads(raw))
        return answers, ws.close_code, ws.close_reason or ""
