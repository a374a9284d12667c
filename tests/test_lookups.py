"""Root lookups by id are nullable: an unknown id, or another organization's, is `null` with a NOT_FOUND error
at its path, exactly alike, and the sibling fields still answer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import PIPELINES, seed
from tests.test_sqlplan_differential import compiled_reads
from winnerr.state import AppState

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


SHARED_LOADS = """query($id: ID!) {
  broken: deal(id: $id) { person { deals(limit: 0) { items { id } } } stage { name } }
  deals { items { id stage { name } } }
}"""


async def test_an_error_that_nulls_a_root_leaves_its_siblings_shared_loads_alone(
    tenant: Tenant, app_state: AppState
) -> None:
    """`limit: 0` nulls `broken` (its person is non-null), so graphql-core cancels its pending `stage`; the
    other root loads the same stage in the same batch and still gets it."""
    rows = await seed(tenant, "Mine")
    with compiled_reads(app_state, False):
        response = await tenant.post(SHARED_LOADS, {"id": rows.deal["id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["broken"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["VALIDATION_ERROR"]
    assert [deal["stage"]["name"] for deal in body["data"]["deals"]["items"]] == ["New Lead"]
