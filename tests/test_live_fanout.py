"""One message per audience: the sockets of an audience receive the same bytes for an event, each with its own
operation id; a replayed event is the same message as the live one; completing one subscription leaves the
socket's others delivering."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from tests.factories import Tenant
from tests.live import LEGACY_WS, PROTOCOLS, TRANSPORT_WS, GraphQLSocket, served
from tests.test_live import new_deal, now, rename
from tests.test_logs import lines
from winnerr.db.enums import Role
from winnerr.settings import Settings

WATCHING = "subscription Watching($id: ID, $after: Int) { dealUpdated(id: $id, after: $after) { deal { title } } }"
TITLES = """subscription($id: ID, $after: Int) {
  dealUpdated(id: $id, after: $after) { sequence type deal { title person { fullName } } }
}"""


class RawSocket:
    """A websocket whose messages are kept as the server wrote them."""

    def __init__(self, connection: ClientConnection, protocol: str) -> None:
        self.connection = connection
        self.protocol = protocol

    @classmethod
    @asynccontextmanager
    async def open(cls, host: str, token: str, protocol: str) -> AsyncIterator[RawSocket]:
        async with websockets.connect(f"ws://{host}/graphql", subprotocols=[Subprotocol(protocol)]) as connection:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            await connection.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(connection.recv(), 10))["type"] == "connection_ack"
            yield cls(connection, protocol)

    async def subscribe(self, operation_id: str, variables: dict[str, object]) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": TITLES, "variables": variables}
        await self.connection.send(json.dumps({"id": operation_id, "type": kind, "payload": payload}))

    async def heard(self, title: str) -> str:
        """The first message about the deal titled `title`, as written (earlier ones are skipped)."""
        while True:
            raw = str(await asyncio.wait_for(self.connection.recv(), 10))
            if json.loads(raw)["payload"]["data"]["dealUpdated"]["deal"]["title"] == title:
                return raw


def without_id(raw: str, operation_id: str) -> str:
    marker = f'"id":{json.dumps(operation_id)}'
    assert raw.count(marker) == 1, raw
    return raw.replace(marker, '"id":"?"')


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_sockets_of_one_audience_receive_the_same_bytes_but_their_ids(
    tenant: Tenant, host: str, protocol: str
) -> None:
    deal_id = await new_deal(tenant)
    ids = ["1", "second", 'a "quoted" id']
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(RawSocket.open(host, tenant.token(Role.AGENT), protocol)) for _ in ids
        ]
        after = await now(tenant)
        for socket, operation_id in zip(sockets, ids, strict=True):
            await socket.subscribe(operation_id, {"id": deal_id, "after": after})
        await rename(tenant, deal_id, "Warm-up")
        for socket in sockets:
            await socket.heard("Warm-up")
        await rename(tenant, deal_id, "Heard alike")
        heard = [await socket.heard("Heard alike") for socket in sockets]
    assert len({without_id(raw, operation_id) for raw, operation_id in zip(heard, ids, strict=True)}) == 1
    message = json.loads(heard[0])
    assert message["type"] == ("next" if protocol == TRANSPORT_WS else "data")
    assert message["payload"]["data"]["dealUpdated"]["deal"]["person"] == {"fullName": "Jennifer Lopez"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_replayed_event_is_the_message_it_was_live(tenant: Tenant, host: str, protocol: str) -> None:
    deal_id = await new_deal(tenant)
    token = tenant.token(Role.VIEWER)
    async with RawSocket.open(host, token, protocol) as live:
        before = await now(tenant)
        await live.subscribe("live", {"id": deal_id, "after": before})
        await rename(tenant, deal_id, "Warm-up: the subscription is live once it has heard this")
        await live.heard("Warm-up: the subscription is live once it has heard this")
        await rename(tenant, deal_id, "Said once")
        said = await live.heard("Said once")
    async with RawSocket.open(host, token, protocol) as late:
        await late.subscribe("late", {"id": deal_id, "after": before})
        replayed = await late.heard("Said once")
    assert without_id(replayed, "late") == without_id(said, "live")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_completing_one_subscription_leaves_the_others_of_its_socket(
    tenant: Tenant, host: str, protocol: str
) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT), protocol=protocol) as socket:
        after = await now(tenant)
        first, second = [await socket.subscribe(TITLES, {"id": deal_id, "after": after}) for _ in range(2)]
        await rename(tenant, deal_id, "Both hear this")
        for operation in (first, second):
            assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == "Both hear this"
        stop = "complete" if protocol == TRANSPORT_WS else "stop"
        await socket.connection.send(json.dumps({"id": first, "type": stop}))
        if protocol == LEGACY_WS:
            assert (await socket.next_message(first))["type"] == "complete"
        await rename(tenant, deal_id, "Only the second hears this")
        assert (await socket.next_data(second))["dealUpdated"]["deal"]["title"] == "Only the second hears this"
        assert await socket.nothing_for(first, 0.5)
        third = await socket.subscribe(TITLES, {"id": deal_id, "after": await now(tenant)})
        await rename(tenant, deal_id, "Heard by a new subscription")
        for operation in (second, third):
            assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == "Heard by a new subscription"


async def test_a_subscription_is_logged_when_it_ends_not_when_its_audience_takes_it_over(
    tenant: Tenant, settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WINNERR_LOG_JSON", "1")
    deal_id = await new_deal(tenant)
    async with served(settings) as host:
        capsys.readouterr()
        async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as socket:
            operation = await socket.subscribe(WATCHING, {"id": deal_id, "after": await now(tenant)})
            for title in ("Replayed or live", "Live"):
                await rename(tenant, deal_id, title)
                assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == title
            captured = capsys.readouterr().err
            assert _watching(captured) == [], "logged while it was still delivering"
        async with asyncio.timeout(10):  # the server logs it once it has seen the socket close
            while not (logged := _watching(captured)):
                await asyncio.sleep(0.05)
                captured += capsys.readouterr().err
    assert [(line["operation_type"], line["outcome"]) for line in logged] == [("subscription", "ok")]


def _watching(captured: str) -> list[dict[str, object]]:
    return [line for line in lines(captured) if line.get("operation_name") == "Watching"]
