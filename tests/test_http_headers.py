"""The headers the HTTP middlewares put on every answer, whatever answers: the request id (the client's when it
is valid, else a new UUID4), `Vary: Origin` and the CORS headers for an allowed origin, and the `RateLimit-*`
headers of a counted route."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests.factories import Tenant
from winnerr.app import create_app
from winnerr.settings import Settings

ME = {"query": "{ me { role } }"}
ALLOWED = "https://crm.example.com"
UUID4_HEX = re.compile(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")


@pytest.fixture
async def browser_facing(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app allowing one browser origin."""
    app = create_app(settings.model_copy(update={"cors_origins": [ALLOWED]}))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_an_answer_without_origin_varies_by_origin_and_carries_its_request_id_and_limits(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post("/graphql", json=ME, headers=tenant.headers())
    assert response.status_code == 200
    assert response.headers.get_list("vary") == ["Origin"]
    assert "access-control-allow-origin" not in response.headers
    assert UUID4_HEX.fullmatch(response.headers["x-request-id"])
    assert response.headers.get_list("x-request-id") == [response.headers["x-request-id"]]
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(response.headers)


async def test_a_clients_request_id_is_kept_and_an_invalid_one_replaced(client: httpx.AsyncClient) -> None:
    mine = "0123456789abcdef0123456789abcdef"
    assert (await client.get("/health", headers={"X-Request-ID": mine})).headers["x-request-id"] == mine
    replaced = (await client.get("/health", headers={"X-Request-ID": "not-an-id"})).headers["x-request-id"]
    assert UUID4_HEX.fullmatch(replaced)


async def test_an_allowed_origin_gets_the_cors_headers_and_another_only_vary(
    browser_facing: httpx.AsyncClient,
) -> None:
    allowed = await browser_facing.get("/health", headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in allowed.headers["access-control-expose-headers"]
    assert allowed.headers.get_list("vary") == ["Origin"]
    foreign = await browser_facing.get("/health", headers={"Origin": "https://elsewhere.example.com"})
    assert "access-control-allow-origin" not in foreign.headers
    assert foreign.headers.get_list("vary") == ["Origin"]
    preflight = await browser_facing.options(
        "/graphql", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
