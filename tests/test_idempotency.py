"""`Idempotency-Key` on mutations: a repeat within 24 h replays the first answer and changes nothing, the key with
another request is a CONFLICT, concurrent requests with one key run once (the others wait and replay, or after
IDEMPOTENCY_WAIT_SECONDS get CONFLICT), a failed mutation keeps no key, and queries ignore the header."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import update

from tests.database import owner_sessions
from tests.factories import Tenant
from tests.live import served
from tests.providers import communications
from tests.test_webhooks_leads import CAPTURE, PEOPLE, address
from winnerr.db.enums import Role
from winnerr.db.models import IdempotencyKey
from winnerr.settings import Settings
from winnerr.state import AppState

BULK = "mutation($inputs: [CreatePersonInput!]!) { bulkCreatePeople(inputs: $inputs) { succeeded failed } }"
REPLAYED = "idempotent-replayed"


def new_key() -> str:
    return str(uuid.uuid4())


async def keyed(
    tenant: Tenant,
    key: str,
    query: str,
    variables: dict[str, Any],
    *,
    role: Role | None = None,
    client: httpx.AsyncClient | None = None,
) -> httpx.Response:
    """POST /graphql with an Idempotency-Key."""
    headers = tenant.headers(role) | {"Idempotency-Key": key}
    body = {"query": query, "variables": variables}
    return await (client or tenant.client).post("/graphql", json=body, headers=headers)


def lead(email: str, message: str = "Is it still for sale?") -> dict[str, Any]:
    return {"input": {"name": "Lee Ead", "email": email, "message": message}}


def data(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


def code(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    value: str = errors[0]["extensions"]["code"]
    return value


def rows(count: int) -> dict[str, Any]:
    return {"inputs": [{"firstName": f"Row{n}", "lastName": "Keyed"} for n in range(count)]}


async def people(tenant: Tenant) -> int:
    total: int = (await tenant.gql(PEOPLE))["people"]["pagination"]["total"]
    return total


async def test_a_repeated_capture_replays_its_first_answer_and_creates_nothing(tenant: Tenant) -> None:
    key, variables = new_key(), lead(address())
    first = await keyed(tenant, key, CAPTURE, variables)
    again = await keyed(tenant, key, CAPTURE, variables)
    assert data(first)["captureLead"]["created"] is True
    assert (again.status_code, data(again)) == (first.status_code, data(first))
    assert REPLAYED not in first.headers
    assert again.headers[REPLAYED] == "true"
    assert await people(tenant) == 1
    assert len(await communications(tenant)) == 1


async def test_the_same_request_in_another_key_order_is_a_repeat(tenant: Tenant) -> None:
    key, email = new_key(), address()
    first = await keyed(tenant, key, CAPTURE, {"input": {"name": "Lee Ead", "email": email}})
    again = await keyed(tenant, key, CAPTURE, {"input": {"email": email, "name": "Lee Ead"}})
    assert data(again) == data(first)
    assert again.headers[REPLAYED] == "true"


async def test_the_key_with_another_request_is_a_conflict_and_changes_nothing(tenant: Tenant) -> None:
    key = new_key()
    data(await keyed(tenant, key, CAPTURE, lead(address())))
    other = await keyed(tenant, key, CAPTURE, lead(address()))
    assert code(other) == "CONFLICT"
    assert "data" not in other.json() or other.json()["data"] is None
    assert await people(tenant) == 1


async def test_a_key_belongs_to_its_member(tenant: Tenant) -> None:
    key, variables = new_key(), lead(address())
    by_owner = await keyed(tenant, key, CAPTURE, variables)
    by_agent = await keyed(tenant, key, CAPTURE, variables, role=Role.AGENT)
    assert data(by_owner)["captureLead"]["created"] is True
    assert data(by_agent)["captureLead"] == data(by_owner)["captureLead"] | {"created": False, "matchedBy": "EMAIL"}
    assert REPLAYED not in by_agent.headers
    assert len(await communications(tenant)) == 2


async def test_a_failed_mutation_keeps_no_key(tenant: Tenant) -> None:
    key = new_key()
    refused = await keyed(tenant, key, CAPTURE, {"input": {"name": "No Contact"}})
    assert code(refused) == "VALIDATION_ERROR"
    assert data(await keyed(tenant, key, CAPTURE, lead(address())))["captureLead"]["created"] is True


async def test_queries_ignore_the_key(tenant: Tenant) -> None:
    key = new_key()
    assert REPLAYED not in (await keyed(tenant, key, PEOPLE, {})).headers
    assert data(await keyed(tenant, key, PEOPLE, {}))["people"]["pagination"]["total"] == 0
    assert data(await keyed(tenant, key, CAPTURE, lead(address())))["captureLead"]["created"] is True


async def test_a_key_expires_after_a_day(tenant: Tenant, app_state: AppState) -> None:
    key, variables = new_key(), lead(address())
    data(await keyed(tenant, key, CAPTURE, variables))
    async with owner_sessions(app_state).begin() as session:  # a day later
        aged = IdempotencyKey.organization_id == tenant.organization_id
        await session.execute(update(IdempotencyKey).where(aged).values(expires_at=IdempotencyKey.created_at))
    again = await keyed(tenant, key, CAPTURE, variables)
    assert data(again)["captureLead"]["matchedBy"] == "EMAIL"
    assert REPLAYED not in again.headers
    assert len(await communications(tenant)) == 2


async def test_a_malformed_key_is_refused(tenant: Tenant) -> None:
    response = await keyed(tenant, "x" * 256, CAPTURE, lead(address()))
    assert response.status_code == 400
    assert code(response) == "VALIDATION_ERROR"
    assert await people(tenant) == 0


async def test_concurrent_requests_with_one_key_run_once_and_the_others_replay(tenant: Tenant) -> None:
    key, variables = new_key(), rows(300)
    answers = await asyncio.gather(*(keyed(tenant, key, BULK, variables) for _ in range(4)))
    assert [data(answer) for answer in answers] == [{"bulkCreatePeople": {"succeeded": 300, "failed": 0}}] * 4
    assert sorted(REPLAYED in answer.headers for answer in answers) == [False, True, True, True]
    assert await people(tenant) == 300


async def test_a_request_that_waits_too_long_for_its_key_is_a_conflict(tenant: Tenant, settings: Settings) -> None:
    key, variables = new_key(), rows(500)
    impatient = settings.model_copy(update={"idempotency_wait_seconds": 0.05})
    async with served(impatient) as host, httpx.AsyncClient(base_url=f"http://{host}", timeout=60) as client:
        answers = await asyncio.gather(*(keyed(tenant, key, BULK, variables, client=client) for _ in range(2)))
    outcomes = sorted("errors" in answer.json() for answer in answers)
    assert outcomes == [False, True], [answer.json() for answer in answers]
    conflict = next(answer for answer in answers if "errors" in answer.json())
    assert code(conflict) == "CONFLICT"
    assert "still running" in conflict.json()["errors"][0]["message"]
    assert await people(tenant) == 500
