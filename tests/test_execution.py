"""The resolver path (`winnerr.schema.execution`) answers as graphql-core does: fields in the order asked, with
aliases, `__typename` and lists of scalars; an error inside a list item nulls the nearest nullable parent, and is
told with its path and location, whether the failing field sits under a relation read by a resolver or not."""

from __future__ import annotations

from typing import Any

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_property
from tests.test_people import create_person
from tests.test_sqlplan_differential import compiled_reads
from winnerr.state import AppState

CREATE_TASK = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"
FAILING = "communications(limit: 0) { items { id } }"
"""A non-null field that fails when it is executed: its limit is out of range."""


def located(document: str, path: list[str | int]) -> dict[str, Any]:
    """Where graphql-core tells the failing field of a one-line `document` at `path` is."""
    return {"path": path, "locations": [{"line": 1, "column": document.index(FAILING) + 1}]}


async def resolved(tenant: Tenant, app_state: AppState, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    with compiled_reads(app_state, False):
        response = await tenant.post(document, variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_fields_answer_in_the_order_asked_with_aliases_and_typenames(tenant: Tenant, app_state: AppState) -> None:
    person = await create_person(tenant, firstName="Ada", lastName="Lovelace", tags=["vip", "cash"])
    home = await create_property(tenant, city="Austin")
    await create_deal(tenant, person["id"], title="Oak", propertyId=home["id"], tags=[])
    document = (
        "{ deals(limit: 5) { items { b: title __typename id a: title title tags "
        "person { __typename last: lastName firstName tags } property { city __typename } amount } } }"
    )
    body = await resolved(tenant, app_state, document, {})
    assert "errors" not in body, body
    [deal] = body["data"]["deals"]["items"]
    assert list(deal) == ["b", "__typename", "id", "a", "title", "tags", "person", "property", "amount"]
    assert (deal["b"], deal["__typename"], deal["a"], deal["title"], deal["tags"]) == ("Oak", "Deal", "Oak", "Oak", [])
    shown = [("__typename", "Person"), ("last", "Lovelace"), ("firstName", "Ada"), ("tags", ["vip", "cash"])]
    assert list(deal["person"].items()) == shown
    assert list(deal["property"].items()) == [("city", "Austin"), ("__typename", "Property")]


async def test_an_error_in_a_list_item_nulls_its_nullable_relation_only(tenant: Tenant, app_state: AppState) -> None:
    person = await create_person(tenant, firstName="Ada")
    await tenant.gql(CREATE_TASK, {"input": {"title": "Call Ada", "personId": person["id"]}})
    await tenant.gql(CREATE_TASK, {"input": {"title": "Tidy up"}})
    document = f"{{ tasks(limit: 10) {{ items {{ title id person {{ firstName {FAILING} }} done }} }} }}"
    body = await resolved(tenant, app_state, document, {})
    items = body["data"]["tasks"]["items"]
    assert [list(item) for item in items] == [["title", "id", "person", "done"]] * 2
    assert {item["title"]: item["person"] for item in items} == {"Call Ada": None, "Tidy up": None}
    failing = next(index for index, item in enumerate(items) if item["title"] == "Call Ada")
    [error] = body["errors"]
    expected = located(document, ["tasks", "items", failing, "person", "communications"])
    assert {key: error[key] for key in expected} == expected
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_an_error_under_a_non_null_relation_nulls_the_nearest_nullable_parent(
    tenant: Tenant, app_state: AppState
) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"])
    document = f"query($id: ID!) {{ deal(id: $id) {{ id title person {{ id {FAILING} }} }} }}"
    body = await resolved(tenant, app_state, document, {"id": deal["id"]})
    assert body["data"] == {"deal": None}
    [error] = body["errors"]
    expected = located(document, ["deal", "person", "communications"])
    assert {key: error[key] for key in expected} == expected
