"""The websocket endpoint's own rules through a real uvicorn: both subprotocols run every kind of
operation, `connection_init` refusals, origins, message size, and the bounds per member."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import websockets
from gql import Client, GraphQLRequest, gql
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy import text
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from tests.factories import Tenant
from tests.live import (
    LEGACY_WS,
    PROTOCOLS,
    TRANSPORT_WS,
    GraphQLSocket,
    closed_with,
    init_answer,
    served,
    served_app,
    served_server,
)
from tests.test_live import DEAL_UPDATED, new_deal, now, rename
from winnerr.db.enums import Role
from winnerr.lean_websocket import Flag, Inbox, LeanWebSocketProtocol
from winnerr.settings import Settings
from winnerr.state import AppState
from winnerr.websockets import UNAUTHORIZED_REASON

ME = "{ me { role } }"
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id fullName } }"
PERSON = "query($id: ID!) { person(id: $id) { fullName } }"
SIX_MIB = 6 * 1024 * 1024


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_queries_mutations_and_subscriptions_run_on_both_protocols(
    tenant: Tenant, host: str, protocol: str
) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT), protocol=protocol) as socket:
        subscription = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        query = await socket.subscribe(ME)
        assert await socket.next_data(query) == {"me": {"role": "AGENT"}}
        assert (await socket.next_message(query))["type"] == "complete"
        mutation = await socket.subscribe(CREATE_PERSON, {"input": {"firstName": "Ada", "lastName": "Byron"}})
        created = (await socket.next_data(mutation))["createPerson"]
        assert created["fullName"] == "Ada Byron"
        await rename(tenant, deal_id, "Heard over the socket")
        event = (await socket.next_data(subscription))["dealUpdated"]
        assert event["deal"]["title"] == "Heard over the socket"
    assert (await tenant.gql(PERSON, {"id": created["id"]}))["person"] == {"fullName": "Ada Byron"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_subscribed_socket_keeps_neither_its_handshake_nor_uvicorns_queue(
    tenant: Tenant, settings: Settings, protocol: str
) -> None:
    """`winnerr serve`'s connections (`LeanWebSocketProtocol`) on the pinned uvicorn: if uvicorn renamed what the
    protocol replaces or forgets, a queue, an event or the handshake would be found on the connection."""
    deal_id = await new_deal(tenant)
    async with (
        served_server(settings) as (host, server),
        GraphQLSocket.open(host, tenant.token(), protocol=protocol) as socket,
    ):
        subscription = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        await rename(tenant, deal_id, "Heard by a lean socket")
        assert (await socket.next_data(subscription))["dealUpdated"]["deal"]["title"] == "Heard by a lean socket"
        (connection,) = [each for each in server.server_state.connections if isinstance(each, LeanWebSocketProtocol)]
        held = [*vars(connection).values(), *inspect.getgeneratorlocals(connection.conn.parser).values()]
        assert [kept for kept in held if isinstance(kept, asyncio.Queue | asyncio.Event | Request | Response)] == []
        assert isinstance(connection.queue, Inbox)
        assert isinstance(connection.writable, Flag)
        await rename(tenant, deal_id, "Heard again")
        assert (await socket.next_data(subscription))["dealUpdated"]["deal"]["title"] == "Heard again"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_gqls_websocket_transport_runs_every_kind_of_operation(tenant: Tenant, host: str, protocol: str) -> None:
    """The third-party client the newcomer used: gql sends queries and mutations over the socket too."""
    deal_id = await new_deal(tenant)
    transport = WebsocketsTransport(
        url=f"ws://{host}/graphql", init_payload={"authorization": f"Bearer {tenant.token()}"}, subprotocols=[protocol]
    )
    async with Client(transport=transport) as session:
        assert await session.execute(gql(ME)) == {"me": {"role": "OWNER"}}
        person = {"input": {"firstName": "Grace", "lastName": "Hopper"}}
        created = await session.execute(GraphQLRequest(CREATE_PERSON, variable_values=person))
        assert created["createPerson"]["fullName"] == "Grace Hopper"
        variables = {"id": deal_id, "after": await now(tenant)}
        events = session.subscribe(GraphQLRequest(DEAL_UPDATED, variable_values=variables))
        first = asyncio.ensure_future(anext(events))
        await rename(tenant, deal_id, "Heard by gql")
        assert (await asyncio.wait_for(first, 10))["dealUpdated"]["deal"]["title"] == "Heard by gql"
        await events.aclose()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_operation_that_fails_to_start_leaves_the_socket_working(
    tenant: Tenant, host: str, protocol: str
) -> None:
    async with GraphQLSocket.open(host, tenant.token(), protocol=protocol) as socket:
        unknown = await socket.subscribe("{ nothingHere }")
        assert (await socket.next_message(unknown))["type"] == "error"
        assert await socket.next_data(await socket.subscribe(ME)) == {"me": {"role": "OWNER"}}


MALFORMED_INITS: list[tuple[dict[str, Any], int]] = [
    ({"type": "connection_init"}, 4401),
    ({"type": "connection_init", "payload": {"authorization": 12}}, 4401),
    ({"type": "connection_init", "payload": {"authorization": "Bearer not-a-jwt"}}, 4401),
    ({"type": "connection_init", "payload": ["Bearer x"]}, 4400),
]


@pytest.mark.parametrize(("init", "code"), MALFORMED_INITS)
async def test_a_malformed_init_gets_the_transport_protocols_refusal(
    host: str, init: dict[str, Any], code: int
) -> None:
    answers, closed, reason = await init_answer(host, init, protocol=TRANSPORT_WS)
    assert (answers, closed) == ([], code)
    assert reason


@pytest.mark.parametrize(("init", "code"), [*MALFORMED_INITS, ({"type": "connection_init", "payload": None}, 4401)])
async def test_a_malformed_init_gets_the_legacy_protocols_refusal(host: str, init: dict[str, Any], code: int) -> None:
    answers, closed, reason = await init_answer(host, init, protocol=LEGACY_WS)
    assert [answer["type"] for answer in answers] == ["connection_error"]
    assert (closed, answers[0]["payload"]["message"]) == (code, reason)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_bad_token_says_what_to_do(host: str, protocol: str) -> None:
    assert await closed_with(host, "not-a-jwt", protocol=protocol) == (4401, UNAUTHORIZED_REASON)


@pytest.mark.parametrize("exp", ["tomorrow", "253402300800"])
async def test_a_signed_token_with_a_strange_exp_is_closed_with_a_code(
    tenant: Tenant, host: str, settings: Settings, exp: str
) -> None:
    claims = {
        "sub": str(tenant.user_ids[Role.OWNER]),
        "org": str(tenant.organization_id),
        "role": "OWNER",
        "iat": datetime.now(UTC) - timedelta(seconds=5),
        "exp": exp,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    token = jwt.encode(claims, settings.signing_secret, algorithm="HS256")
    code, reason = await closed_with(host, token)
    assert code in (4401, 4500), (code, reason)


async def test_a_configured_cors_origin_may_open_a_socket(tenant: Tenant, settings: Settings) -> None:
    allowed = settings.model_copy(update={"cors_origins": ["https://app.example.com", "HTTPS://Crm.Example.com:443"]})
    async with served(allowed) as host:
        for origin in ("https://app.example.com", "https://crm.example.com"):
            async with GraphQLSocket.open(host, tenant.token(), origin=origin) as socket:
                assert await socket.next_data(await socket.subscribe(ME)) == {"me": {"role": "OWNER"}}
        assert (await closed_with(host, tenant.token(), origin="https://evil.example.com"))[0] == 403


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_message_larger_than_an_http_body_is_closed_with_1009(
    tenant: Tenant, host: str, protocol: str
) -> None:
    async with GraphQLSocket.open(host, tenant.token(), protocol=protocol) as socket:
        await socket.subscribe("{ me { role } }", {"padding": "x" * SIX_MIB})
        await asyncio.wait_for(socket.closed(), 10)
        assert socket.connection.close_code == 1009


async def test_sockets_per_member_are_bounded(tenant: Tenant, settings: Settings) -> None:
    bounded = settings.model_copy(update={"websockets_per_member": 2})
    token = tenant.token(Role.VIEWER)
    async with served(bounded) as host:
        async with GraphQLSocket.open(host, token), GraphQLSocket.open(host, token):
            code, reason = await closed_with(host, token)
            assert code == 4429
            assert reason.startswith("Too many websockets")
            async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as another_member:
                assert await role_over(another_member) == "AGENT"  # not counted with the viewer's sockets
        async with GraphQLSocket.open(host, token) as after_closing:
            assert await role_over(after_closing) == "VIEWER"  # closed sockets no longer count


async def role_over(socket: GraphQLSocket) -> str:
    """The caller's role, asked over the socket: it was accepted and answers."""
    role: str = (await socket.next_data(await socket.subscribe("{ me { role } }")))["me"]["role"]
    return role


async def test_socket_opens_are_rate_limited_per_member(tenant: Tenant, settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_websockets": "3/minute"})
    token = tenant.token(Role.VIEWER)
    async with served(limited) as host:
        for _ in range(3):
            async with GraphQLSocket.open(host, token):
                pass
        code, reason = await closed_with(host, token)
        assert (code, reason.startswith("Too many websockets opened")) == (4429, True)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_subscriptions_per_socket_and_member_are_bounded(
    tenant: Tenant, settings: Settings, protocol: str
) -> None:
    bounded = settings.model_copy(update={"subscriptions_per_socket": 2, "subscriptions_per_member": 3})
    token = tenant.token(Role.VIEWER)
    async with served(bounded) as host, GraphQLSocket.open(host, token, protocol=protocol) as first:
        for _ in range(2):
            await first.subscribe(DEAL_UPDATED, {"after": await now(tenant)})
        assert _rate_limited(await first.next_message(await first.subscribe(ME)))
        async with GraphQLSocket.open(host, token, protocol=protocol) as second:
            await second.subscribe(DEAL_UPDATED)
            assert _rate_limited(await second.next_message(await second.subscribe(DEAL_UPDATED)))


def _rate_limited(message: dict[str, Any]) -> bool:
    assert message["type"] == "error", message
    errors = message["payload"] if isinstance(message["payload"], list) else [message["payload"]]
    return bool(errors[0]["extensions"]["code"] == "RATE_LIMITED")


async def test_sockets_killed_mid_operation_leave_no_connection_in_a_transaction(
    tenant: Tenant, settings: Settings
) -> None:
    deal_id = await new_deal(tenant)
    async with served_app(settings) as (host, state):
        for protocol in PROTOCOLS:
            for _ in range(3):
                await _kill_sockets_mid_work(tenant, host, protocol, deal_id)
        assert await _idle_in_transaction(state) == 0


async def _kill_sockets_mid_work(tenant: Tenant, host: str, protocol: str, deal_id: str) -> None:
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(GraphQLSocket.open(host, tenant.token(), protocol=protocol))
            for _ in range(8)
        ]
        after = await now(tenant)
        for socket in sockets:
            await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": after})
            await socket.subscribe("{ people(limit: 100) { items { id deals { id } tasks { id } } } }")
        await rename(tenant, deal_id, "Said while the sockets die")
        for socket in sockets:
            socket.connection.transport.abort()


async def _idle_in_transaction(state: AppState) -> int:
    """Connections of the test database left idle in a transaction, once the server let go of the sockets."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
    )
    count = 0
    for _ in range(50):
        async with state.database.engine.connect() as connection:
            count = int(await connection.scalar(query) or 0)
        if count == 0:
            break
        await asyncio.sleep(0.2)
    return count


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_client_going_away_logs_no_error(
    tenant: Tenant, host: str, protocol: str, caplog: pytest.LogCaptureFixture
) -> None:
    deal_id = await new_deal(tenant)
    logging.getLogger("winnerr").addHandler(caplog.handler)
    try:
        async with GraphQLSocket.open(host, tenant.token(), protocol=protocol) as socket:
            await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
            await socket.subscribe(ME)
            await rename(tenant, deal_id, "Nobody reads this")
        await _raw_socket_that_leaves(host, protocol, tenant.token())
        await asyncio.sleep(0.5)
    finally:
        logging.getLogger("winnerr").removeHandler(caplog.handler)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


async def _raw_socket_that_leaves(host: str, protocol: str, token: str) -> None:
    """A client that starts an operation and goes away without reading its answer."""
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    async with websockets.connect(f"ws://{host}/graphql", subprotocols=[Subprotocol(protocol)]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": kind, "payload": {"query": ME}}))


async def test_an_http_client_going_away_mid_request_is_no_error(
    tenant: Tenant, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    logging.getLogger("winnerr").addHandler(caplog.handler)
    try:
        address, port = host.split(":")
        _, writer = await asyncio.open_connection(address, int(port))
        writer.write(
            f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {tenant.token()}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":".encode()
        )
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.5)
    finally:
        logging.getLogger("winnerr").removeHandler(caplog.handler)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
