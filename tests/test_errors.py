"""Errors: the contract's codes, and unexpected failures hidden behind INTERNAL_ERROR with a request id; outside
GraphQL they are answered as JSON without closing the connection, and a database that is down is a 503."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_JWT_SECRET
from tests.factories import PASSWORD, Tenant
from tests.live import served
from tests.test_health import CLOSED_PORT_URL
from winnerr.db.database import Database
from winnerr.resolvers import integrations
from winnerr.settings import load_settings


async def test_unexpected_exception_is_internal_error_with_request_id(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("SELECT secret FROM pg_shadow")

    monkeypatch.setattr(integrations, "list_integrations", broken)
    with caplog.at_level(logging.ERROR, logger="winnerr"):
        response = await tenant.post("{ integrations { id } }")
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": request_id}
    assert request_id in error["message"]
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def test_malformed_document_is_a_validation_error_without_data(tenant: Tenant) -> None:
    response = await tenant.post("{ people { items { id } ")
    assert response.status_code == 200  # with application/json; 400 with graphql-response+json (test_graphql_over_http)
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_unknown_field_is_a_validation_error_without_data(tenant: Tenant) -> None:
    response = await tenant.post("{ people { items { password } } }")
    assert response.status_code == 200
    assert "data" not in response.json()


async def test_too_deep_query_is_query_too_complex(tenant: Tenant) -> None:
    nested = "deals { items { person { deals { items { person { deals { items { person { id } } } } } } } } }"
    response = await tenant.post(f"{{ people {{ items {{ {nested} }} }} }}")
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def _client_port(response: httpx.Response) -> int:
    """The local port of the connection that carried `response` (while it is open): the same port for two
    responses means that the server kept the connection alive between them."""
    port: int = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    return port


async def test_an_unexpected_error_outside_graphql_is_json_500_and_keeps_the_connection(
    host: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(self: Database) -> bool:
        raise RuntimeError("SELECT secret FROM pg_shadow")

    monkeypatch.setattr(Database, "is_ready", broken)
    with caplog.at_level(logging.ERROR, logger="winnerr"):
        async with httpx.AsyncClient(base_url=f"http://{host}") as client:
            failed = await client.get("/ready")
            healthy = await client.get("/health")
            ports = {_client_port(failed), _client_port(healthy)}
    request_id = failed.headers["x-request-id"]
    assert failed.status_code == 500
    assert failed.json() == {
        "errors": [
            {
                "message": f"Internal server error (request id {request_id})",
                "extensions": {"code": "INTERNAL_ERROR", "requestId": request_id},
            }
        ]
    }
    assert "secret" not in failed.text
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)
    assert healthy.status_code == 200
    assert len(ports) == 1


@pytest.fixture
async def database_down(tmp_path: Path) -> AsyncIterator[str]:
    """The app on a real uvicorn with its database on a port where nothing listens; its host:port."""
    settings = load_settings(database_url=CLOSED_PORT_URL, winnerr_data_dir=tmp_path, jwt_secret=TEST_JWT_SECRET)
    async with served(settings) as address:
        yield address


async def test_while_the_database_is_down_graphql_login_and_export_answer_503_with_retry_after(
    database_down: str, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="winnerr"):
        async with httpx.AsyncClient(base_url=f"http://{database_down}") as client:
            answers = [
                await client.post("/graphql", json={"query": "{ me { role } }"}, headers=tenant.headers()),
                await client.post("/auth/token", json={"grant_type": "password", "email": "a@b.example.com",
                                                       "password": PASSWORD}),
                await client.get("/export/people.csv", headers=tenant.headers()),
            ]
            health = await client.get("/health")
            ports = {_client_port(answer) for answer in [*answers, health]}
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["retry-after"]) > 0
        request_id = answer.headers["x-request-id"]
        assert answer.json() == {
            "errors": [
                {
                    "message": "Service unavailable: the database is not answering",
                    "extensions": {"code": "INTERNAL_ERROR", "requestId": request_id},
                }
            ]
        }
    assert not caplog.records
    assert health.status_code == 200
    assert len(ports) == 1
