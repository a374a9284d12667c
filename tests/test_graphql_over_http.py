"""GraphQL over HTTP as its spec says (https://graphql.github.io/graphql-over-http/): media types chosen by the
Accept header, status codes by whether the response has `data`, and the contract's JSON error shape for every
request that is not well-formed."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.live import served
from winnerr.settings import Settings

AUDIT_DIR = Path(__file__).parent / "http_audit"
AUDIT_COUNT = 61


async def _run(*command: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run a command without blocking the event loop (the server under test runs in it): code, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        *command, cwd=AUDIT_DIR, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    output, errors = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(), errors.decode()


async def _installed_audit() -> None:
    """`npm ci` once: node_modules is kept between runs (and ignored by git)."""
    if (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        return
    code, output, errors = await _run("npm", "ci", "--no-audit", "--no-fund")
    assert code == 0, output + errors


async def test_the_graphql_http_audit_passes_without_warnings(settings: Settings, tenant: Tenant) -> None:
    await _installed_audit()
    node = shutil.which("node")
    assert node is not None, "Node.js runs the GraphQL over HTTP audit suite"
    async with served(settings) as host:
        env = {"PATH": str(Path(node).parent), "GRAPHQL_TOKEN": tenant.token()}
        code, output, errors = await _run(node, "audit.mjs", f"http://{host}/graphql", env=env)
    assert output, errors
    report: dict[str, Any] = json.loads(output)
    failed = [result for result in report["results"] if result["status"] != "ok"]
    assert failed == []
    assert (report["total"], report["ok"], report["warn"], report["notice"], report["error"]) == (
        AUDIT_COUNT, AUDIT_COUNT, 0, 0, 0,
    )
    assert code == 0, errors


GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SYNTAX_ERROR = "{ me { role } "


def first_cost_of_me(tenant: Tenant) -> dict[str, Any]:
    """`extensions.cost` of a member's first `{ me { role } }`: one object asked for and returned."""
    budget = tenant.settings.cost_budget_item.amount
    return {"cost": {"requested": 1, "actual": 1, "budget": budget, "remaining": budget - 1}}
UNKNOWN_FIELD = "{ me { password } }"


async def _post(tenant: Tenant, body: object, accept: str | None = None) -> httpx.Response:
    headers = tenant.headers() | ({"Accept": accept} if accept is not None else {})
    return await tenant.client.post("/graphql", json=body, headers=headers)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


def _assert_refused(response: httpx.Response, status: int = 400) -> None:
    """An HTTP-level refusal in the contract's error shape: one error with a code, no `data`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errors"}, body
    [error] = body["errors"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["extensions"] == {"code": "VALIDATION_ERROR"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("*/*", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{JSON};q=0.2, application/*;q=0.1, {GRAPHQL_RESPONSE};q=0.3", GRAPHQL_RESPONSE),
        (f"text/html, {GRAPHQL_RESPONSE};q=0", JSON),
        ("not a media type", JSON),
    ],
)
async def test_the_accept_header_and_its_q_values_choose_the_media_type(
    tenant: Tenant, accept: str | None, media_type: str
) -> None:
    response = await _post(tenant, {"query": "{ me { role } }"}, accept)
    assert response.status_code == 200
    assert _media_type(response) == media_type
    assert response.json() == {"data": {"me": {"role": "OWNER"}}, "extensions": first_cost_of_me(tenant)}


@pytest.mark.parametrize("query", [SYNTAX_ERROR, UNKNOWN_FIELD])
async def test_a_document_that_does_not_run_is_400_without_data_for_graphql_response_json(
    tenant: Tenant, query: str
) -> None:
    response = await _post(tenant, {"query": query}, GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert _media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("accept", [None, JSON, "*/*"])
@pytest.mark.parametrize("query", [SYNTAX_ERROR, UNKNOWN_FIELD])
async def test_with_application_json_a_document_that_does_not_run_is_200_without_data(
    tenant: Tenant, query: str, accept: str | None
) -> None:
    response = await _post(tenant, {"query": query}, accept)
    assert response.status_code == 200
    assert _media_type(response) == JSON
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_variables_that_do_not_coerce_are_a_request_error(tenant: Tenant) -> None:
    body = {"query": "query Q($id: ID!) { person(id: $id) { id } }", "variables": {"id": None}}
    strict = await _post(tenant, body, GRAPHQL_RESPONSE)
    assert "data" not in strict.json()
    [error] = strict.json()["errors"]
    assert strict.status_code == (500 if error["extensions"]["code"] == "INTERNAL_ERROR" else 400)
    legacy = await _post(tenant, body, JSON)
    assert legacy.status_code == 200
    assert "data" not in legacy.json()


async def test_a_field_error_keeps_data_and_answers_200_for_graphql_response_json(tenant: Tenant) -> None:
    query = "query Q($id: ID!) { me { role } person(id: $id) { id } }"
    response = await _post(tenant, {"query": query, "variables": {"id": str(uuid.uuid4())}}, GRAPHQL_RESPONSE)
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["path"] == ["person"]


NOT_WELL_FORMED = {
    "null": b"null",
    "a number": b"42",
    "a string": b'"{ me { role } }"',
    "a batch": b'[{"query": "{ me { role } }"}]',
    "empty": b"",
    "not JSON": b'{ "not a JSON',
    "invalid UTF-8": b'{"query": "{ me { role } }", "variables": {"name": "\xff\xfe"}}',
    "nested 5,000 deep": b'{"query": "{ me { role } }", "variables": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    "NaN": b'{"query": "{ me { role } }", "variables": {"x": NaN}}',
    "1e400": b'{"query": "{ me { role } }", "variables": {"x": 1e400}}',
    "no query": b'{"variables": {}}',
    "query not a string": b'{"query": {"me": "role"}}',
    "variables not an object": b'{"query": "{ me { role } }", "variables": [1]}',
    "operationName not a string": b'{"query": "{ me { role } }", "operationName": false}',
    "extensions not an object": b'{"query": "{ me { role } }", "extensions": "x"}',
}


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
@pytest.mark.parametrize("body", NOT_WELL_FORMED.values(), ids=NOT_WELL_FORMED.keys())
async def test_a_body_that_is_not_well_formed_is_400_in_the_error_shape(
    tenant: Tenant, body: bytes, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    headers = tenant.headers() | {"Content-Type": JSON, "Accept": accept}
    with caplog.at_level(logging.ERROR, logger="winnerr"):
        response = await tenant.client.post("/graphql", content=body, headers=headers)
    _assert_refused(response)
    assert _media_type(response) == accept
    assert not caplog.records


async def test_a_body_that_is_not_json_by_its_content_type_is_400_in_the_error_shape(tenant: Tenant) -> None:
    headers = tenant.headers() | {"Content-Type": "text/plain"}
    response = await tenant.client.post("/graphql", content=b'{"query": "{ me { role } }"}', headers=headers)
    _assert_refused(response)


async def test_a_get_without_a_query_is_400_in_the_error_shape(tenant: Tenant) -> None:
    _assert_refused(await tenant.client.get("/graphql", headers=tenant.headers()))


async def test_queries_run_over_get_and_a_mutation_over_get_is_405(tenant: Tenant) -> None:
    query = await tenant.client.get("/graphql", params={"query": "{ me { role } }"}, headers=tenant.headers())
    assert query.json() == {"data": {"me": {"role": "OWNER"}}, "extensions": first_cost_of_me(tenant)}
    mutation = 'mutation { createTask(input: {title: "Call back"}) { id } }'
    response = await tenant.client.get("/graphql", params={"query": mutation}, headers=tenant.headers())
    _assert_refused(response, status=405)
    assert response.headers["allow"] == "POST"
    assert await tenant.gql("{ tasks { items { id } } }") == {"tasks": {"items": []}}


async def test_a_subscription_over_http_post_is_a_request_error_not_an_internal_one(
    tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = {"query": "subscription { dealUpdated { type } }"}
    with caplog.at_level(logging.ERROR, logger="winnerr"):
        legacy = await _post(tenant, subscription, JSON)
        strict = await _post(tenant, subscription, GRAPHQL_RESPONSE)
    assert legacy.status_code == 200
    assert strict.status_code == 400
    for response in (legacy, strict):
        body = response.json()
        assert "data" not in body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "VALIDATION_ERROR"
        assert "websocket" in error["message"]
    assert not caplog.records


async def test_an_unknown_operation_name_is_a_request_error(tenant: Tenant) -> None:
    body = {"query": "query A { me { role } } query B { me { email } }", "operationName": "C"}
    response = await _post(tenant, body, GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
