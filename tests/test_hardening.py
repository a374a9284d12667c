"""Defences found in review: websocket operations re-check the membership and run in units of their own,
login attempts are counted before they are checked, bodies are capped, provider tokens need a verified
e-mail, search text is bounded, and list cells in CSV exports are neutralised one by one."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Unpack

import httpx
from sqlalchemy import delete

from tests.database import owner_sessions
from tests.factories import PASSWORD, Tenant
from tests.identity_provider import Claims, identity_provider
from tests.live import GraphQLSocket, served, served_app
from tests.test_people import create_person
from winnerr.db.enums import Role
from winnerr.db.models import Membership
from winnerr.settings import Settings
from winnerr.state import AppState

BULK = "mutation($inputs: [CreatePersonInput!]!) { bulkCreatePeople(inputs: $inputs) { succeeded failed } }"
ME = "{ me { role } }"
COUNT = "{ people { pagination { total } } }"
PRESENCE = "subscription { presence { status } }"


async def run(socket: GraphQLSocket, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """A query or mutation over the websocket; its first result message."""
    return await socket.next_message(await socket.subscribe(query, variables), wait=30)


async def test_operations_on_one_socket_do_not_share_a_transaction(tenant: Tenant, host: str) -> None:
    rows = [{"firstName": f"Row{n}", "lastName": "Socket"} for n in range(300)]
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        bulk_id = await socket.subscribe(BULK, {"inputs": rows})
        me = await run(socket, ME)
        bulk = await socket.next_message(bulk_id, wait=60)
    assert me["payload"]["data"]["me"]["role"] == "OWNER"
    assert bulk["payload"]["data"]["bulkCreatePeople"] == {"succeeded": 300, "failed": 0}
    assert (await tenant.gql(COUNT))["people"]["pagination"]["total"] == 300


async def test_a_removed_member_is_refused_and_disconnected(
    tenant: Tenant,
    host: str,
    app_state: AppState,
) -> None:
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as socket:
        assert (await run(socket, ME))["payload"]["data"]["me"]["role"] == "AGENT"
        async with owner_sessions(app_state).begin() as session:
            await session.execute(delete(Membership).where(Membership.user_id == tenant.user_ids[Role.AGENT]))
        await socket.subscribe('mutation { createPerson(input: {firstName: "A", lastName: "B"}) { id } }')
        await asyncio.wait_for(socket.closed(), 5)
        assert socket.connection.close_code == 4403
    assert (await tenant.gql(COUNT))["people"]["pagination"]["total"] == 0


async def test_websocket_operations_count_against_the_api_limit(tenant: Tenant, settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_api": "2/minute"})
    async with served(limited) as address, GraphQLSocket.open(address, tenant.token()) as socket:
        for _ in range(2):
            assert (await run(socket, ME))["payload"]["data"]["me"]["role"] == "OWNER"
        refused = await run(socket, ME)
        assert "RATE_LIMITED" in json.dumps(refused)


async def test_a_burst_of_wrong_passwords_is_counted_before_checking(tenant: Tenant) -> None:
    form = {"grant_type": "password", "email": tenant.emails[Role.VIEWER], "password": "wrong password!"}
    answers = await asyncio.gather(*(tenant.client.post("/auth/token", json=form) for _ in range(20)))
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(400) == 5
    assert statuses.count(429) == 15
    right = await tenant.client.post("/auth/token", json=form | {"password": PASSWORD})
    assert right.status_code == 429


async def test_an_oversized_body_is_refused_before_it_is_read(tenant: Tenant) -> None:
    padding = "x" * (6 * 1024 * 1024)
    response = await tenant.client.post(
        "/graphql", json={"query": ME, "variables": {"padding": padding}}, headers=tenant.headers()
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_search_text_is_bounded(tenant: Tenant) -> None:
    error = await tenant.gql_error("query($s: String) { people(search: $s) { items { id } } }", {"s": "x " * 5000})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert error["extensions"]["issues"][0]["path"] == ["search"]


async def test_each_tag_of_an_exported_cell_is_neutralised(tenant: Tenant) -> None:
    await create_person(tenant, tags=["ok", '=HYPERLINK("http://x")', "@SUM(1)"])
    response = await tenant.client.get("/export/people.csv", headers=tenant.headers())
    assert "ok;'=HYPERLINK" in response.text
    assert ";'@SUM(1)" in response.text


async def test_provider_tokens_need_a_verified_email(tenant: Tenant, settings: Settings) -> None:
    with identity_provider() as provider:
        provider.publish("test")
        with_jwks = settings.model_copy(update={"jwks_url": provider.url})
        async with served(with_jwks) as address, httpx.AsyncClient(base_url=f"http://{address}") as client:

            async def role_with(**claims: Unpack[Claims]) -> int | str:
                token = provider.token(tenant, "test", **claims)
                headers = {"Authorization": f"Bearer {token}"}
                answer = await client.post("/graphql", json={"query": ME}, headers=headers)
                return answer.json()["data"]["me"]["role"] if answer.status_code == 200 else answer.status_code

            assert await role_with() == "AGENT"
            assert await role_with(email_verified=None) == 401
            assert await role_with(email_verified=False) == 401
            assert await role_with(sub=str(tenant.user_ids[Role.OWNER]), email=None) == 401


async def test_open_sockets_are_closed_when_their_membership_ends(
    tenant: Tenant, settings: Settings, app_state: AppState
) -> None:
    async with (
        served_app(settings) as (address, state),
        GraphQLSocket.open(address, tenant.token(Role.AGENT)) as socket,
    ):
        await state.sockets.check()
        assert await socket.nothing_for(await socket.subscribe(PRESENCE), 0.2)
        async with owner_sessions(app_state).begin() as session:
            await session.execute(delete(Membership).where(Membership.user_id == tenant.user_ids[Role.AGENT]))
        await state.sockets.check()
        await asyncio.wait_for(socket.closed(), 5)
        assert socket.connection.close_code == 4403
