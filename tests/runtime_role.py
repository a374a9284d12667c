"""The app as production runs it: every transaction as a runtime role that row-level security binds.

`runtime_role` is a role of this run's own (roles belong to the whole server, which parallel runs share), made
by `winnerr migrate` with `DATABASE_ROLE` and dropped at the end; `rls_settings` names it; `rls_client` is the
app on those settings; `as_runtime_role` moves a tenant's calls onto that app.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests.cli import winnerr
from tests.database import admin
from tests.factories import Tenant
from winnerr.app import create_app
from winnerr.settings import Settings


@pytest.fixture(scope="session")
def runtime_role(cli_env: dict[str, str], database_url: str) -> Iterator[str]:
    role = f"winnerr_app_{uuid.uuid4().hex[:8]}"
    migrated = winnerr({**cli_env, "DATABASE_ROLE": role}, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    yield role
    admin(database_url, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


@pytest.fixture(scope="session")
def rls_settings(settings: Settings, runtime_role: str) -> Settings:
    return settings.model_copy(update={"database_role": runtime_role})


@pytest.fixture(scope="session")
async def rls_client(rls_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(create_app(rls_settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def as_runtime_role(tenant: Tenant, client: httpx.AsyncClient) -> Tenant:
    """The same organization and members, calling the app that runs as the runtime role."""
    return dataclasses.replace(tenant, client=client)
