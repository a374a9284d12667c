"""Liveness and readiness: /health answers while the process runs, /ready only while the database answers."""

from __future__ import annotations

from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from tests.conftest import TEST_JWT_SECRET
from winnerr.app import create_app
from winnerr.settings import load_settings

CLOSED_PORT_URL = "postgresql://postgres@127.0.0.1:1/winnerr"


async def test_health_says_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200


async def test_not_ready_but_alive_when_the_database_is_down(tmp_path: Path) -> None:
    settings = load_settings(database_url=CLOSED_PORT_URL, winnerr_data_dir=tmp_path, jwt_secret=TEST_JWT_SECRET)
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ready = await client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["status"] != "ready"
            health = await client.get("/health")
            assert health.status_code == 200
            assert health.json() == {"status": "ok"}


async def test_the_root_points_at_graphql_and_the_probes(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["graphql"] == "/graphql"
    assert body["health"] == "/health"
    assert (await client.get(body["health"])).json() == {"status": "ok"}
