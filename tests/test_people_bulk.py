"""Bulk people mutations: one transaction, a bad row rejects only itself, every row's outcome reported."""

from __future__ import annotations

from tests.factories import Tenant
from tests.test_people import count_people, create_person
from winnerr.db.enums import Role

ROWS = "succeeded failed rows { index status id code issues { path message } person { email } }"
BULK_CREATE = f"mutation($inputs: [CreatePersonInput!]!) {{ bulkCreatePeople(inputs: $inputs) {{ {ROWS} }} }}"
BULK_UPDATE = f"mutation($inputs: [BulkUpdatePersonInput!]!) {{ bulkUpdatePeople(inputs: $inputs) {{ {ROWS} }} }}"
BULK_DELETE = f"mutation($ids: [ID!]!) {{ bulkDeletePeople(ids: $ids) {{ {ROWS} }} }}"
CREATE_DEAL = "mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }"


def person(n: int, **fields: object) -> dict[str, object]:
    return {"firstName": f"Row{n}", "lastName": "Bulk", "email": f"row{n}@example.com", **fields}


async def test_bad_rows_reject_only_themselves(tenant: Tenant) -> None:
    await create_person(tenant, email="taken@example.com")
    inputs = [
        person(0),
        person(1, email="bad"),
        person(2, zipCode="ABCDE", firstName=""),
        person(3),
        person(4, email="TAKEN@example.com"),
    ]
    result = (await tenant.gql(BULK_CREATE, {"inputs": inputs}))["bulkCreatePeople"]
    assert (result["succeeded"], result["failed"]) == (2, 3)
    statuses = [(row["index"], row["status"], row["code"]) for row in result["rows"]]
    assert statuses == [
        (0, "CREATED", None),
        (1, "FAILED", "VALIDATION_ERROR"),
        (2, "FAILED", "VALIDATION_ERROR"),
        (3, "CREATED", None),
        (4, "FAILED", "DUPLICATE_RECORD"),
    ]
    assert [issue["path"] for issue in result["rows"][1]["issues"]] == [["1", "email"]]
    assert {tuple(issue["path"]) for issue in result["rows"][2]["issues"]} == {("2", "firstName"), ("2", "zipCode")}
    assert result["rows"][0]["person"] == {"email": "row0@example.com"}
    assert await count_people(tenant) == 3


async def test_bulk_update_and_delete_report_each_row(tenant: Tenant, other_tenant: Tenant) -> None:
    created = (await tenant.gql(BULK_CREATE, {"inputs": [person(n) for n in range(3)]}))["bulkCreatePeople"]
    ids = [row["id"] for row in created["rows"]]
    foreign = await create_person(other_tenant)
    updates = [
        {"id": ids[0], "changes": {"status": "LEAD"}},
        {"id": ids[1], "changes": {"zipCode": "ABCDE"}},
        {"id": foreign["id"], "changes": {"status": "LEAD"}},
    ]
    updated = (await tenant.gql(BULK_UPDATE, {"inputs": updates}))["bulkUpdatePeople"]
    assert [(r["status"], r["code"]) for r in updated["rows"]] == [
        ("UPDATED", None),
        ("FAILED", "VALIDATION_ERROR"),
        ("FAILED", "NOT_FOUND"),
    ]
    deal = {"title": "Keeps a person", "dealType": "LISTING", "amount": "100000", "personId": ids[2]}
    await tenant.gql(CREATE_DEAL, {"input": deal})
    deleted = (await tenant.gql(BULK_DELETE, {"ids": [ids[0], ids[2], foreign["id"]]}))["bulkDeletePeople"]
    assert [(r["status"], r["code"]) for r in deleted["rows"]] == [
        ("DELETED", None),
        ("FAILED", "CONFLICT"),
        ("FAILED", "NOT_FOUND"),
    ]
    assert await count_people(tenant) == 2
    assert await count_people(other_tenant) == 1


async def test_more_than_500_rows_is_rejected_whole(tenant: Tenant) -> None:
    error = await tenant.gql_error(BULK_CREATE, {"inputs": [person(n) for n in range(501)]})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert await count_people(tenant) == 0


async def test_bulk_needs_the_roles_permissions(tenant: Tenant) -> None:
    viewer_error = await tenant.as_role(Role.VIEWER).gql_error(BULK_CREATE, {"inputs": [person(0)]})
    assert viewer_error["extensions"]["code"] == "PERMISSION_DENIED"
    created = (await tenant.gql(BULK_CREATE, {"inputs": [person(0)]}))["bulkCreatePeople"]
    agent_error = await tenant.as_role(Role.AGENT).gql_error(BULK_DELETE, {"ids": [created["rows"][0]["id"]]})
    assert agent_error["extensions"]["code"] == "PERMISSION_DENIED"
    assert await count_people(tenant) == 1
