"""Root lookups by id are nullable: an unknown id, or another organization's, is `null` with a NOT_FOUND error
at its path, exactly alike, and the sibling fields still answer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import PIPELINES, seed

LOOKUPS = {
    "person": "query($id: ID!) { me { role } person(id: $id) { id } }",
    "deal": "query($id: ID!) { me { role } deal(id: $id) { id } }",
    "property": "query($id: ID!) { me { role } property(id: $id) { id } }",
    "pipelineBoard": "query($id: ID!) { me { role } pipelineBoard(pipelineId: $id) { pipeline { id } } }",
}


async def their_id(tenant: Tenant, field: str) -> str:
    if field == "pipelineBoard":
        pipeline_id: str = (await tenant.gql(PIPELINES))["pipelines"][0]["id"]
        return pipeline_id
    row_id: str = (await seed(tenant, "Theirs")).of(field)["id"]
    return row_id


async def answer(tenant: Tenant, field: str, row_id: str) -> dict[str, Any]:
    response = await tenant.post(LOOKUPS[field], {"id": row_id})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert "cost" in body.pop("extensions"), "the budget's report differs between two answers"
    return body


@pytest.mark.parametrize("field", LOOKUPS)
async def test_a_missing_record_is_null_beside_its_siblings(tenant: Tenant, other_tenant: Tenant, field: str) -> None:
    unknown = await answer(tenant, field, str(uuid.uuid4()))
    foreign = await answer(tenant, field, await their_id(other_tenant, field))

    assert unknown == foreign
    assert unknown["data"] == {"me": {"role": "OWNER"}, field: None}
    (error,) = unknown["errors"]
    assert error["path"] == [field]
    assert error["extensions"] == {"code": "NOT_FOUND"}


async def test_a_found_record_answers(tenant: Tenant) -> None:
    rows = await seed(tenant, "Mine")
    data = (await answer(tenant, "deal", rows.deal["id"]))["data"]
    assert data == {"me": {"role": "OWNER"}, "deal": {"id": rows.deal["id"]}}
