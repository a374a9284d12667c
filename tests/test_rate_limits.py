"""Rate limits: RATE_LIMIT_API per member, RateLimit-* headers on every response (a 401 too), 429 past the limit,
counted in storage that every instance shares, behind a per-process guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from tests.factories import Tenant, make_tenant
from winnerr.app import create_app
from winnerr.db.enums import Role
from winnerr.limits_storage import PostgresStorage
from winnerr.settings import Settings
from winnerr.state import STATE_KEY, AppState

LIMIT = 3


@asynccontextmanager
async def instance(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """One more instance of the app, with its own lifespan (database pool, guard) over the test database."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, manager._state[STATE_KEY]


@pytest.fixture
async def instances(settings: Settings) -> AsyncIterator[list[tuple[httpx.AsyncClient, AppState]]]:
    """Two instances that allow each member three requests a minute, their shared counters emptied."""
    limited_settings = settings.model_copy(update={"rate_limit_api": f"{LIMIT}/minute"})
    async with AsyncExitStack() as stack:
        started = [await stack.enter_async_context(instance(limited_settings)) for _ in range(2)]
        await started[0][1].limits.storage.reset()
        yield started


@pytest.fixture
async def limited(instances: list[tuple[httpx.AsyncClient, AppState]], settings: Settings) -> Tenant:
    """A tenant of an app that allows each member three requests a minute."""
    client, state = instances[0]
    return await make_tenant(state.database, settings, client)


async def test_each_response_counts_down_then_429(limited: Tenant) -> None:
    remaining = []
    for _ in range(LIMIT):
        response = await limited.post("{ me { role } }")
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == str(LIMIT)
        assert int(response.headers["RateLimit-Reset"]) > 0
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    refused = await limited.post("{ me { role } }")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_limits_are_per_member(limited: Tenant) -> None:
    for _ in range(LIMIT + 1):
        await limited.post("{ me { role } }")
    other_member = await limited.as_role(Role.VIEWER).post("{ me { role } }")
    assert other_member.status_code == 200
    assert other_member.headers["RateLimit-Remaining"] == str(LIMIT - 1)


async def test_public_routes_count_per_ip_and_carry_the_headers(limited: Tenant) -> None:
    answers = [await limited.client.post("/auth/revoke", json={}) for _ in range(LIMIT + 1)]
    assert [answer.status_code for answer in answers] == [200] * LIMIT + [429]
    assert [answer.headers["RateLimit-Remaining"] for answer in answers[:LIMIT]] == ["2", "1", "0"]
    member = await limited.post("{ me { role } }")
    assert member.status_code == 200, "a member's limit is their own, not their IP's"


NEVER_LIMITED = [
    ("/health", {}),
    ("/ready", {}),
    ("/graphql", {"Accept": "text/html"}),
    ("/graphiql/static/init.js", {}),
    ("/graphiql/static/vendor/graphiql/graphiql.min.css", {}),
]


@pytest.mark.parametrize(("path", "headers"), NEVER_LIMITED, ids=[path for path, _ in NEVER_LIMITED])
async def test_probes_and_graphiql_are_never_limited(limited: Tenant, path: str, headers: dict[str, str]) -> None:
    for _ in range(LIMIT * 3):
        response = await limited.client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert not any(name.lower().startswith("ratelimit-") for name in response.headers), response.headers
    public = await limited.client.post("/auth/revoke", json={})
    assert public.headers["RateLimit-Remaining"] == str(LIMIT - 1), "the probes were not counted either"


def on(tenant: Tenant, client: httpx.AsyncClient) -> Tenant:
    """The same member, talking to another instance."""
    moved = tenant.as_role(tenant.role)
    moved.client = client
    return moved


async def test_two_instances_share_a_members_limit(
    limited: Tenant, instances: list[tuple[httpx.AsyncClient, AppState]]
) -> None:
    first, second = (on(limited, client) for client, _ in instances)
    answers = [await (first if turn % 2 == 0 else second).post("{ me { role } }") for turn in range(LIMIT + 1)]
    assert [answer.status_code for answer in answers] == [200] * LIMIT + [429]
    assert [answer.headers["RateLimit-Remaining"] for answer in answers[:LIMIT]] == ["2", "1", "0"]
    assert (await first.post("{ me { role } }")).status_code == 429


async def test_the_sixth_failed_login_is_refused_on_either_instance(tenant: Tenant, settings: Settings) -> None:
    async with instance(settings) as (first, _), instance(settings) as (second, _):
        await login_failures_then_refusal([first, second], tenant.emails[Role.AGENT])


async def login_failures_then_refusal(clients: list[httpx.AsyncClient], email: str) -> None:
    wrong = {"grant_type": "password", "email": email, "password": "wrong password"}
    failures = [await clients[turn % 2].post("/auth/token", json=wrong) for turn in range(5)]
    assert [failure.json()["error"] for failure in failures] == ["invalid_grant"] * 5
    for client in clients:
        locked = await client.post("/auth/token", json={**wrong, "password": "correct horse battery"})
        assert locked.status_code == 429, locked.text
        assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60


async def test_a_401_is_counted_and_carries_the_headers(limited: Tenant) -> None:
    answers = [await limited.client.post("/graphql", json={"query": "{ me { role } }"}) for _ in range(LIMIT + 1)]
    assert [answer.status_code for answer in answers] == [401] * LIMIT + [429]
    assert [answer.headers["RateLimit-Remaining"] for answer in answers[:LIMIT]] == ["2", "1", "0"]
    assert answers[0].json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert int(answers[-1].headers["Retry-After"]) > 0


async def test_exports_are_limited_to_ten_a_minute_per_member(limited: Tenant) -> None:
    statuses = [
        (await limited.client.get("/export/people.csv", headers=limited.headers())).status_code for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    other = await limited.client.get("/export/people.csv", headers=limited.headers(Role.AGENT))
    assert other.status_code == 200, "the limit is the member's own"


async def test_a_refused_flood_is_answered_without_the_database(
    limited: Tenant, instances: list[tuple[httpx.AsyncClient, AppState]]
) -> None:
    for _ in range(LIMIT):
        await limited.post("{ me { role } }")
    assert (await limited.post("{ me { role } }")).status_code == 429
    _, state = instances[0]
    assert isinstance(state.limits.storage, PostgresStorage)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(state.limits.storage.engine.sync_engine, "before_cursor_execute", record)
    try:
        refused = [await limited.post("{ me { role } }") for _ in range(20)]
    finally:
        event.remove(state.limits.storage.engine.sync_engine, "before_cursor_execute", record)
    assert {answer.status_code for answer in refused} == {429}
    assert statements == []


async def test_leases_spare_the_storage_and_two_instances_never_exceed_the_limit(
    settings: Settings, tenant: Tenant
) -> None:
    limit = 40  # leases of one unit, then two: at most a twentieth of the limit
    leased = settings.model_copy(update={"rate_limit_api": f"{limit}/day"})
    statements: list[str] = []
    async with instance(leased) as (first, state), instance(leased) as (second, other):
        await state.limits.storage.reset()
        for storage in (state.limits.storage, other.limits.storage):
            assert isinstance(storage, PostgresStorage)
            event.listen(storage.engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(""))
        clients = [on(tenant, first), on(tenant, second)]
        answers = [await clients[turn % 2].post("{ me { role } }") for turn in range(limit + 10)]
    statuses = [answer.status_code for answer in answers]
    allowed = statuses.count(200)
    # Never more than the limit; at most one unit less per instance (a lease of two, one unit of it unspent
    # when the shared window filled up).
    assert limit - 2 <= allowed <= limit, statuses
    assert statuses[-8:] == [429] * 8, statuses
    # Without leases, two statements per request (the API limit, the cost budget): 100. With them, one per
    # lease of the API limit (about 20), a few for the cost budget's doubling leases, the refusals' attempts
    # and each instance's pruning.
    assert len(statements) <= 40, f"{len(statements)} statements for {len(answers)} requests"


async def test_concurrent_hits_on_two_instances_share_the_limit_exactly(settings: Settings, tenant: Tenant) -> None:
    limit = 40
    leased = settings.model_copy(update={"rate_limit_api": f"{limit}/day"})
    async with instance(leased) as (first, state), instance(leased) as (second, _):
        await state.limits.storage.reset()
        clients = [on(tenant, first), on(tenant, second)]
        statuses: list[int] = []
        for _ in range(3):  # waves of concurrent requests: several hits of one key wait on the storage at once
            answers = await asyncio.gather(*(clients[turn % 2].post("{ me { role } }") for turn in range(30)))
            statuses += [answer.status_code for answer in answers]
    assert statuses.count(200) == limit, "no unit is lost between concurrent hits, and none is spent twice"
    assert statuses.count(429) == 90 - limit
