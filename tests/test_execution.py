"""The resolver path (`winnerr.schema.execution`) answers as graphql-core does: fields in the order asked, with
aliases, `__typename` and lists of scalars; an error inside a list item nulls the nearest nullable parent, and is
told with its path and location, whether the failing field sits under a relation read by a resolver or not."""

from __future__ import annotations

import uuid
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


ONE_DEAL = (
    "query($id: ID!, $withPerson: Boolean!, $noTitle: Boolean!) { deal(id: $id) { id "
    "title @skip(if: $noTitle) person @include(if: $withPerson) { firstName ...names } ...more } } "
    "fragment names on Person { lastName } fragment more on Deal { amount property { city } }"
)


async def test_a_document_asked_again_answers_each_request_with_its_own_variables(
    tenant: Tenant, app_state: AppState
) -> None:
    """The same text (one parsed document) with other variables: other rows, and `@skip`/`@include` as each
    request's variables say, however often the document was asked before."""
    ada = await create_person(tenant, firstName="Ada", lastName="Lovelace")
    alan = await create_person(tenant, firstName="Alan", lastName="Turing")
    home = await create_property(tenant, city="Austin")
    oak = await create_deal(tenant, ada["id"], title="Oak", propertyId=home["id"])
    elm = await create_deal(tenant, alan["id"], title="Elm")
    asked = [(oak, True, False), (elm, False, True), (oak, False, False), (elm, True, True), (oak, True, False)]
    for deal, with_person, no_title in asked:
        variables = {"id": deal["id"], "withPerson": with_person, "noTitle": no_title}
        body = await resolved(tenant, app_state, ONE_DEAL, variables)
        assert "errors" not in body, body
        shown = body["data"]["deal"]
        expected: dict[str, Any] = {"id": deal["id"]}
        if not no_title:
            expected["title"] = deal["title"]
        if with_person:
            names = ("Ada", "Lovelace") if deal is oak else ("Alan", "Turing")
            expected["person"] = dict(zip(("firstName", "lastName"), names, strict=True))
        expected["amount"] = deal["amount"]
        expected["property"] = {"city": "Austin"} if deal is oak else None
        assert list(shown.items()) == list(expected.items())


async def test_root_fields_with_arguments_tell_their_errors_at_their_own_paths(
    tenant: Tenant, app_state: AppState
) -> None:
    """Root fields answered with their arguments (`deal(id:)`), asked again in one document: each finds its
    own row, and an unknown or malformed id (NOT_FOUND alike) is told at its field's path, the others kept."""
    person = await create_person(tenant, firstName="Ada")
    deal = await create_deal(tenant, person["id"], title="Oak")
    document = (
        "query($id: ID!, $other: ID!) { a: deal(id: $id) { title person { firstName } } "
        'b: deal(id: $other) { title } c: deal(id: "not-a-uuid") { title } d: deal(id: $id) { id } }'
    )
    for _ in range(2):
        body = await resolved(tenant, app_state, document, {"id": deal["id"], "other": str(uuid.uuid4())})
        assert body["data"] == {
            "a": {"title": "Oak", "person": {"firstName": "Ada"}},
            "b": None,
            "c": None,
            "d": {"id": deal["id"]},
        }
        assert sorted((error["path"], error["extensions"]["code"]) for error in body["errors"]) == [
            (["b"], "NOT_FOUND"),
            (["c"], "NOT_FOUND"),
        ]
