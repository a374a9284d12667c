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


async def test_public_routes_carry_the_headers_too(limited: Tenant) -> None:
    response = await limited.client.get("/health")
    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == str(LIMIT)
