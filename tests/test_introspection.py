"""What the schema tells a caller about itself: introspection by the INTROSPECTION setting (on in development, off
in production unless set), and no "Did you mean …?" suggestions in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests.factories import Tenant
from winnerr.app import create_app
from winnerr.settings import Environment, Settings

SCHEMA = "{ __schema { queryType { name } } }"
TYPE = '{ __type(name: "Person") { name } }'
TYPO = "{ me { rol } }"
UNKNOWN_ENUM_VALUE = "{ people(filter: {status: [LEADS]}) { items { id } } }"


@asynccontextmanager
async def _app(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own, with these settings changed."""
    async with LifespanManager(create_app(settings.model_copy(update=overrides))) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def _post(
    client: httpx.AsyncClient, tenant: Tenant, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=tenant.headers())
    body: dict[str, Any] = response.json()
    return body


def _refused(body: dict[str, Any]) -> bool:
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    return "data" not in body and codes == {"VALIDATION_ERROR"}


async def test_introspection_is_on_in_development(tenant: Tenant) -> None:
    assert await tenant.gql(SCHEMA) == {"__schema": {"queryType": {"name": "Query"}}}
    assert await tenant.gql(TYPE) == {"__type": {"name": "Person"}}


async def test_introspection_is_off_in_production(settings: Settings, tenant: Tenant) -> None:
    async with _app(settings, winnerr_env=Environment.PRODUCTION) as client:
        assert _refused(await _post(client, tenant, SCHEMA))
        assert _refused(await _post(client, tenant, TYPE))
        answer = await _post(client, tenant, "{ __typename me { role } }")
        assert answer["data"] == {"__typename": "Query", "me": {"role": "OWNER"}}


@pytest.mark.parametrize(
    ("environment", "introspection", "allowed"),
    [(Environment.PRODUCTION, True, True), (Environment.DEVELOPMENT, False, False)],
)
async def test_the_introspection_setting_decides_in_either_environment(
    settings: Settings, tenant: Tenant, environment: Environment, introspection: bool, allowed: bool
) -> None:
    async with _app(settings, winnerr_env=environment, introspection=introspection) as client:
        body = await _post(client, tenant, SCHEMA)
    assert ("data" in body) is allowed
    assert _refused(body) is not allowed


async def test_development_errors_suggest_names(tenant: Tenant) -> None:
    typo = await _post(tenant.client, tenant, TYPO)
    assert "Did you mean 'role'?" in typo["errors"][0]["message"]
    enum = await _post(tenant.client, tenant, UNKNOWN_ENUM_VALUE)
    assert "Did you mean" in enum["errors"][0]["message"]


async def test_production_errors_make_no_suggestions(settings: Settings, tenant: Tenant) -> None:
    async with _app(settings, winnerr_env=Environment.PRODUCTION) as client:
        typo = await _post(client, tenant, TYPO)
        enum = await _post(client, tenant, UNKNOWN_ENUM_VALUE)
        argument = await _post(client, tenant, "{ people(limitt: 5) { items { id } } }")
    assert typo["errors"][0]["message"] == "Cannot query field 'rol' on type 'Viewer'."
    for body in (typo, enum, argument):
        [error] = body["errors"]
        assert "Did you mean" not in error["message"], error
        assert error["extensions"]["code"] == "VALIDATION_ERROR"
