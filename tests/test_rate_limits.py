"""Rate limits: RATE_LIMIT_API per member, RateLimit-* headers on every response, 429 past the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests.factories import Tenant, make_tenant
from winnerr.app import create_app
from winnerr.db.enums import Role
from winnerr.settings import Settings
from winnerr.state import STATE_KEY, AppState

LIMIT = 3


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[Tenant]:
    """A tenant of an app that allows each member three requests a minute."""
    app = create_app(settings.model_copy(update={"rate_limit_api": f"{LIMIT}/minute"}))
    async with LifespanManager(app) as manager:
        state: AppState = manager._state[STATE_KEY]
        await state.limits.storage.reset()  # the counters are shared: start from none
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield await make_tenant(state.database.sessions, settings, client)


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
