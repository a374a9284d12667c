"""The `winnerr` command against the test database: create-org, seed-demo, token, migrate and serve."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import jwt
import pytest
import websockets
from sqlalchemy import func, select
from websockets.typing import Subprotocol

from tests.cli import failed, graphql, log_in, me, serving, succeeded, winnerr_async
from tests.database import owner_sessions
from tests.factories import PASSWORD, Tenant
from winnerr.db.models import Organization
from winnerr.state import AppState

DEMO_PASSWORD = "winnerr-demo"
DEMO_MEMBERS = {
    "owner@demo.example.com": "OWNER",
    "agent@demo.example.com": "AGENT",
    "viewer@demo.example.com": "VIEWER",
}
COUNTS = """{
  people { pagination { total } }
  properties { pagination { total } }
  deals { pagination { total } }
}"""


async def organizations_named(app_state: AppState, name: str) -> int:
    async with owner_sessions(app_state)() as session:
        count = await session.scalar(select(func.count()).select_from(Organization).where(Organization.name == name))
    return int(count or 0)


async def demo_counts(client: httpx.AsyncClient) -> tuple[int, int, int]:
    token = await log_in(client, "owner@demo.example.com", DEMO_PASSWORD)
    data = await graphql(client, token, COUNTS)
    people, properties, deals = (data[kind]["pagination"]["total"] for kind in ("people", "properties", "deals"))
    return people, properties, deals


@pytest.fixture(scope="module")
async def demo_output(cli_env: dict[str, str]) -> str:
    """`winnerr seed-demo` run once for this module; its output."""
    return succeeded(await winnerr_async(cli_env, "seed-demo"))


async def test_create_org_prints_its_id_and_the_owner_can_log_in(
    cli_env: dict[str, str], client: httpx.AsyncClient
) -> None:
    name = f"Cli Realty {uuid.uuid4().hex[:8]}"
    email = f"owner-{uuid.uuid4().hex[:8]}@cli.example.com"
    printed = succeeded(
        await winnerr_async(cli_env, "create-org", "--name", name, "--owner-email", email, "--password", PASSWORD)
    )
    organization_id = str(uuid.UUID(printed))
    assert printed == organization_id

    token = await log_in(client, email, PASSWORD)
    viewer = await me(client, token)
    assert viewer["organization"] == {"id": organization_id, "name": name}
    assert viewer["role"] == "OWNER"
    assert viewer["user"]["email"] == email
    pipelines = (await graphql(client, token, "{ pipelines { isDefault stages { name } } }"))["pipelines"]
    assert [pipeline["isDefault"] for pipeline in pipelines] == [True]
    assert pipelines[0]["stages"]


@pytest.mark.parametrize(
    ("email", "password", "complaint"),
    [
        ("not-an-email", PASSWORD, "e-mail"),
        (f"owner-{uuid.uuid4().hex[:8]}@cli.example.com", "short", "password"),
    ],
    ids=["bad-email", "short-password"],
)
async def test_create_org_refuses_bad_input_and_creates_nothing(
    cli_env: dict[str, str], app_state: AppState, email: str, password: str, complaint: str
) -> None:
    name = f"Refused Realty {uuid.uuid4().hex[:8]}"
    result = await winnerr_async(cli_env, "create-org", "--name", name, "--owner-email", email, "--password", password)
    error = failed(result)
    assert complaint in error.lower()
    assert len(error.strip().splitlines()) == 1, error
    assert await organizations_named(app_state, name) == 0
    failed(await winnerr_async(cli_env, "token", "--email", email))


async def test_seed_demo_twice_changes_nothing_the_second_time(
    cli_env: dict[str, str], client: httpx.AsyncClient, demo_output: str
) -> None:
    people, properties, deals = counts = await demo_counts(client)
    assert 45 <= people <= 55
    assert 27 <= properties <= 33
    assert 36 <= deals <= 44
    assert f"{people} people, {properties} properties, {deals} deals" in demo_output

    again = succeeded(await winnerr_async(cli_env, "seed-demo"))
    assert "unchanged" in again
    assert f"{people} people, {properties} properties, {deals} deals" in again
    assert await demo_counts(client) == counts


async def test_seed_demo_members_log_in_with_their_roles(client: httpx.AsyncClient, demo_output: str) -> None:
    match = re.search(r"Demo Realty \(([0-9a-f-]{36})\)", demo_output)
    assert match, demo_output
    for email, role in DEMO_MEMBERS.items():
        assert email in demo_output
        viewer = await me(client, await log_in(client, email, DEMO_PASSWORD))
        assert viewer["role"] == role
        assert viewer["organization"] == {"id": match[1], "name": "Demo Realty"}
    assert DEMO_PASSWORD in demo_output
    assert "/graphql on the address" in demo_output, "serve may use another port than 8000"


async def test_token_is_accepted_by_the_api_and_lives_for_its_ttl(
    cli_env: dict[str, str], client: httpx.AsyncClient, demo_output: str
) -> None:
    token = succeeded(await winnerr_async(cli_env, "token", "--email", "owner@demo.example.com", "--ttl", "120"))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 120
    viewer = await me(client, token)
    assert viewer["role"] == "OWNER"
    assert viewer["user"]["email"] == "owner@demo.example.com"
    assert viewer["organization"]["name"] == "Demo Realty"


async def test_token_for_an_unknown_member_fails(cli_env: dict[str, str], tenant: Tenant) -> None:
    error = failed(await winnerr_async(cli_env, "token", "--email", "nobody@cli.example.com"))
    assert "not found" in error.lower()
    owner = tenant.emails[tenant.role]
    error = failed(await winnerr_async(cli_env, "token", "--email", owner, "--org", str(uuid.uuid4())))
    assert "not found" in error.lower()


async def test_migrate_succeeds_again_and_keeps_the_data(
    cli_env: dict[str, str], client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for _ in range(2):
        assert "up to date" in succeeded(await winnerr_async(cli_env, "migrate"))
    owner = tenant.emails[tenant.role]
    viewer = await me(client, await log_in(client, owner, PASSWORD))
    assert viewer["organization"]["id"] == str(tenant.organization_id)


async def test_instances_migrating_at_once_all_succeed(cli_env: dict[str, str]) -> None:
    """Instances that start together each migrate and provision the runtime role (two concurrent GRANTs on one
    object fail with 'tuple concurrently updated' unless they take turns)."""
    results = await asyncio.gather(*(winnerr_async(cli_env, "migrate") for _ in range(6)))
    for result in results:
        assert "up to date" in succeeded(result)


UNREACHABLE = [
    ("postgresql://postgres:s3cret-pw@127.0.0.1:1/winnerr", "127.0.0.1:1/winnerr", "connection refused"),
    ("postgresql://postgres:s3cret-pw@127.0.0.1:5432/winnerr_none", "127.0.0.1:5432/winnerr_none", "does not exist"),
    ("postgresql://nobody:s3cret-pw@127.0.0.1:5432/postgres", "127.0.0.1:5432/postgres", "nobody"),
]


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "1"], ["seed-demo"]], ids=" ".join)
@pytest.mark.parametrize(("url", "where", "reason"), UNREACHABLE, ids=["closed-port", "no-database", "no-role"])
async def test_an_unreachable_database_is_one_line_naming_it(
    cli_env: dict[str, str], command: list[str], url: str, where: str, reason: str
) -> None:
    error = failed(await winnerr_async({**cli_env, "DATABASE_URL": url}, *command))
    assert len(error.strip().splitlines()) == 1, error
    assert f"cannot reach the database at {where}" in error
    assert reason in error
    assert "s3cret-pw" not in error


async def forwarded_remaining(base_url: str, forwarded_for: str) -> str:
    """A public request's `RateLimit-Remaining` when it claims to come from `forwarded_for`."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/auth/revoke", json={}, headers={"X-Forwarded-For": forwarded_for})
    assert response.status_code == 200, response.text
    return response.headers["RateLimit-Remaining"]


async def test_serve_believes_x_forwarded_for_from_no_one_by_default(cli_env: dict[str, str]) -> None:
    async with serving({**cli_env, "RATE_LIMIT_API": "5/minute"}) as base_url:
        remaining = [await forwarded_remaining(base_url, f"203.0.113.{n}") for n in (1, 2, 3)]
    assert remaining == ["4", "3", "2"], "one bucket: the peer's own address"


async def test_serve_believes_x_forwarded_for_from_trusted_proxies(cli_env: dict[str, str]) -> None:
    # A day's window: a minute's could turn between the requests and weigh the first ones less.
    env = {**cli_env, "RATE_LIMIT_API": "5/day", "TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}
    async with serving(env) as base_url:
        remaining = [await forwarded_remaining(base_url, f"203.0.113.{n}") for n in (1, 2, 1)]
    assert remaining == ["4", "4", "3"], "a bucket per forwarded client"


async def test_bad_trusted_proxies_stop_start_up_naming_the_variable(cli_env: dict[str, str]) -> None:
    error = failed(await winnerr_async({**cli_env, "TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "serve"))
    assert "TRUSTED_PROXIES" in error


async def negotiated_extensions(base_url: str) -> str | None:
    """The Sec-WebSocket-Extensions a websocket to /graphql is answered with, when the client offers
    permessage-deflate (as browsers do)."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], compression="deflate") as ws:
        return ws.response.headers.get("Sec-WebSocket-Extensions") if ws.response is not None else None


async def test_serve_compresses_websockets_only_when_the_setting_turns_it_on(cli_env: dict[str, str]) -> None:
    async with serving(cli_env) as base_url:
        assert await negotiated_extensions(base_url) is None, "compression is off by default"
    async with serving({**cli_env, "WEBSOCKET_COMPRESSION": "true"}) as base_url:
        extensions = await negotiated_extensions(base_url)
    assert extensions is not None
    assert extensions.startswith("permessage-deflate")
