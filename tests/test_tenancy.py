"""Tenancy: another organization's rows are invisible, exactly as if they did not exist.

Each test has two organizations: `tenant` (the caller) and `other_tenant` (whose rows it must never reach).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import (
    CREATE_DEAL,
    KINDS,
    LIST_DEALS,
    LIST_PEOPLE,
    PIPELINES,
    READ_DEAL,
    SEARCH_PROPERTIES,
    UPDATE_DEAL,
    Kind,
    Rows,
    count_deals,
    create_person,
    seed,
    stage_named,
)

OPERATIONS = ("read", "update", "delete")


def operation(kind: Kind, name: str, row_id: str) -> tuple[str, dict[str, Any]]:
    """The document and variables of `name` (read, update or delete) on the record `row_id`."""
    if name == "update":
        return kind.update, {"id": row_id, "input": kind.change}
    return getattr(kind, name), {"id": row_id}


@pytest.mark.parametrize("operation_name", OPERATIONS)
@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
async def test_another_organizations_record_is_not_found_like_an_unknown_id(
    tenant: Tenant, other_tenant: Tenant, kind: Kind, operation_name: str
) -> None:
    await seed(tenant, "Mine")
    theirs = await seed(other_tenant, "Theirs")
    row = theirs.of(kind.name)

    foreign = await tenant.gql_error(*operation(kind, operation_name, row["id"]))
    unknown = await tenant.gql_error(*operation(kind, operation_name, str(uuid.uuid4())))

    assert foreign["extensions"] == {"code": "NOT_FOUND"}
    assert foreign == unknown
    assert (await other_tenant.gql(kind.read, {"id": row["id"]}))[kind.name] == row


async def foreign_reference_error(tenant: Tenant, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    error = await tenant.gql_error(document, variables)
    assert error["extensions"] == {"code": "NOT_FOUND"}
    return error


@pytest.mark.parametrize("reference", ["personId", "propertyId", "stageId"])
async def test_create_deal_cannot_point_into_another_organization(
    tenant: Tenant, other_tenant: Tenant, reference: str
) -> None:
    mine = await create_person(tenant)
    theirs = await seed(other_tenant, "Theirs")
    their_ids = {
        "personId": theirs.person["id"],
        "propertyId": theirs.property["id"],
        "stageId": (await stage_named(other_tenant, "Showing"))["id"],
    }
    base = {"title": "Sneaky", "dealType": "LISTING", "amount": "1000.00", "personId": mine["id"]}

    foreign = await foreign_reference_error(tenant, CREATE_DEAL, {"input": {**base, reference: their_ids[reference]}})
    unknown = await foreign_reference_error(tenant, CREATE_DEAL, {"input": {**base, reference: str(uuid.uuid4())}})

    assert foreign == unknown
    assert await count_deals(tenant) == 0
    assert await count_deals(other_tenant) == 1


@pytest.mark.parametrize("reference", ["personId", "propertyId"])
async def test_update_deal_cannot_point_into_another_organization(
    tenant: Tenant, other_tenant: Tenant, reference: str
) -> None:
    mine = await seed(tenant, "Mine")
    theirs = await seed(other_tenant, "Theirs")
    their_ids = {"personId": theirs.person["id"], "propertyId": theirs.property["id"]}

    foreign = await foreign_reference_error(
        tenant, UPDATE_DEAL, {"id": mine.deal["id"], "input": {"title": "Moved", reference: their_ids[reference]}}
    )
    unknown = await foreign_reference_error(
        tenant, UPDATE_DEAL, {"id": mine.deal["id"], "input": {"title": "Moved", reference: str(uuid.uuid4())}}
    )

    assert foreign == unknown
    assert (await tenant.gql(READ_DEAL, {"id": mine.deal["id"]}))["deal"] == mine.deal
    their_person_deals = "query($id: ID!) { person(id: $id) { deals { items { id } } } }"
    assert (await other_tenant.gql(their_person_deals, {"id": theirs.person["id"]}))["person"]["deals"]["items"] == [
        {"id": theirs.deal["id"]}
    ]


# Each list query, and where its rows are in the answer.
LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "people": (LIST_PEOPLE, ("people", "items")),
    "deals": (LIST_DEALS, ("deals", "items")),
    "properties": (SEARCH_PROPERTIES, ("properties", "items")),
    "pipelines": (PIPELINES, ("pipelines",)),
}


async def listed_ids(tenant: Tenant, name: str) -> set[str]:
    document, path = LISTS[name]
    rows: Any = await tenant.gql(document)
    for key in path:
        rows = rows[key]
    return {row["id"] for row in rows}


async def own_ids(tenant: Tenant, rows: Rows, name: str) -> set[str]:
    if name == "pipelines":
        return {pipeline["id"] for pipeline in (await tenant.gql(PIPELINES))["pipelines"]}
    kind = {"people": "person", "deals": "deal", "properties": "property"}[name]
    return {rows.of(kind)["id"]}


@pytest.mark.parametrize("name", LISTS.keys())
async def test_lists_show_only_the_callers_organization(tenant: Tenant, other_tenant: Tenant, name: str) -> None:
    mine = await seed(tenant, "Mine")
    theirs = await seed(other_tenant, "Theirs")
    my_ids = await own_ids(tenant, mine, name)
    their_ids = await own_ids(other_tenant, theirs, name)
    assert my_ids
    assert their_ids
    assert my_ids.isdisjoint(their_ids)
    assert await listed_ids(tenant, name) == my_ids
    assert await listed_ids(other_tenant, name) == their_ids


async def test_pipeline_stages_are_the_callers_own(tenant: Tenant, other_tenant: Tenant) -> None:
    my_stages = {stage["id"] for pipeline in (await tenant.gql(PIPELINES))["pipelines"] for stage in pipeline["stages"]}
    their_stages = {
        stage["id"] for pipeline in (await other_tenant.gql(PIPELINES))["pipelines"] for stage in pipeline["stages"]
    }
    assert len(my_stages) == 7
    assert my_stages.isdisjoint(their_stages)


@pytest.mark.parametrize("reference", ["personId", "propertyId"])
async def test_deals_filtered_by_another_organizations_record_are_empty(
    tenant: Tenant, other_tenant: Tenant, reference: str
) -> None:
    await seed(tenant, "Mine")
    theirs = await seed(other_tenant, "Theirs")
    their_ids = {"personId": theirs.person["id"], "propertyId": theirs.property["id"]}
    page = (await tenant.gql(LIST_DEALS, {"filter": {reference: their_ids[reference]}}))["deals"]
    assert page["items"] == []
    assert page["pagination"]["total"] == 0
    assert (await other_tenant.gql(LIST_DEALS, {"filter": {reference: their_ids[reference]}}))["deals"]["items"] == [
        {key: theirs.deal[key] for key in ("id", "title", "amount", "status", "dealType")}
    ]
