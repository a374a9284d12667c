"""Errors: the contract's codes, and unexpected failures hidden behind INTERNAL_ERROR with a request id."""

from __future__ import annotations

import logging

import pytest

from tests.factories import Tenant
from winnerr.resolvers import pipelines


async def test_unexpected_exception_is_internal_error_with_request_id(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("SELECT secret FROM pg_shadow")

    monkeypatch.setattr(pipelines, "list_pipelines", broken)
    with caplog.at_level(logging.ERROR, logger="winnerr"):
        response = await tenant.post("{ pipelines { id } }")
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": request_id}
    assert request_id in error["message"]
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def test_malformed_document_is_400(tenant: Tenant) -> None:
    response = await tenant.post("{ people { items { id } ")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_unknown_field_is_400(tenant: Tenant) -> None:
    response = await tenant.post("{ people { items { password } } }")
    assert response.status_code == 400


async def test_too_deep_query_is_query_too_complex(tenant: Tenant) -> None:
    nested = "deals { items { person { deals { items { person { deals { items { person { id } } } } } } } } }"
    response = await tenant.post(f"{{ people {{ items {{ {nested} }} }} }}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
