"""Fixtures: one migrated database per run, the app over ASGI with its lifespan, and tenants."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests.database import fresh_database
from tests.factories import Tenant, make_tenant
from tests.live import served
from winnerr.app import create_app
from winnerr.db.migrate import migrate
from winnerr.settings import DEFAULT_ROLE, Settings, load_settings
from winnerr.state import STATE_KEY, AppState

TEST_JWT_SECRET = "test-secret-" + "x" * 40
TEST_METRICS_TOKEN = "metrics-token-" + "m" * 24
UNLIMITED = "100000/minute"  # the API limit has tests of its own (test_rate_limits.py)
UNLIMITED_BUDGET = "100000000/minute"  # so has the cost budget (test_cost_budget.py)
PRESENCE_GRACE_SECONDS = 0.5  # OFFLINE is announced this long after a member's last socket closed


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """Migrated as `winnerr migrate` does it, the default runtime role included (a role belongs to the whole
    server: runs share it, each with grants on its own database, gone with it)."""
    with fresh_database() as url:
        migrate(url, DEFAULT_ROLE)
        yield url


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("winnerr-data")


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return load_settings(
        database_url=database_url,
        winnerr_data_dir=data_dir,
        jwt_secret=TEST_JWT_SECRET,
        metrics_token=TEST_METRICS_TOKEN,
        rate_limit_api=UNLIMITED,
        cost_budget=UNLIMITED_BUDGET,
        presence_grace_seconds=PRESENCE_GRACE_SECONDS,
    )


@pytest.fixture(scope="session")
def cli_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment for running the `winnerr` command against the test database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "WINNERR_", "JWT_"))}
    env.update(DATABASE_URL=database_url, WINNERR_DATA_DIR=str(data_dir), JWT_SECRET=TEST_JWT_SECRET)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="session")
async def lifespan(settings: Settings) -> AsyncIterator[LifespanManager]:
    async with LifespanManager(create_app(settings)) as manager:
        yield manager


@pytest.fixture(scope="session")
def app_state(lifespan: LifespanManager) -> AppState:
    state: AppState = lifespan._state[STATE_KEY]
    return state


@pytest.fixture(scope="session")
async def client(lifespan: LifespanManager) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=lifespan.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
async def host(settings: Settings) -> AsyncIterator[str]:
    """The app on a real uvicorn (for websockets), sharing the test database; its host:port."""
    async with served(settings) as address:
        yield address


@pytest.fixture
async def tenant(app_state: AppState, settings: Settings, client: httpx.AsyncClient) -> Tenant:
    """An organization of this test's own, acting as its OWNER."""
    return await make_tenant(app_state.database, settings, client)


@pytest.fixture
async def other_tenant(app_state: AppState, settings: Settings, client: httpx.AsyncClient) -> Tenant:
    """A second organization, whose rows the first must never see."""
    return await make_tenant(app_state.database, settings, client, name="Other Realty")
