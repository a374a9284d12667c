"""Roles: what OWNER, ADMIN, AGENT and VIEWER may do (the contract's role table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import (
    CREATE_DEAL,
    CREATE_PERSON,
    CREATE_PROPERTY,
    KINDS,
    LIST_DEALS,
    LIST_PEOPLE,
    ME,
    PIPELINES,
    SEARCH_PROPERTIES,
    Kind,
    Rows,
    create_person,
    seed,
)
from winnerr.db.enums import Role

PERMISSIONS = {
    Role.OWNER: {"READ", "WRITE", "DELETE", "EXPORT", "MANAGE_MEMBERS", "BILLING", "INTEGRATIONS"},
    Role.ADMIN: {"READ", "WRITE", "DELETE", "EXPORT", "MANAGE_MEMBERS", "INTEGRATIONS"},
    Role.AGENT: {"READ", "WRITE", "EXPORT"},
    Role.VIEWER: {"READ"},
}


@dataclass(frozen=True)
class Write:
    """A create or update, and the fields the record has afterwards when it is allowed."""

    mutation: str
    kind: Kind
    document: str
    variables: Callable[[Rows], dict[str, Any]]
    expected: dict[str, Any]


NEW_PERSON = {"firstName": "Nora", "lastName": "Newman"}
NEW_PROPERTY = {
    "address": "9 New Road",
    "city": "Austin",
    "state": "TX",
    "zipCode": "78704",
    "propertyType": "CONDO",
    "price": "310000.00",
}
NEW_DEAL = {"title": "New deal", "dealType": "RENTAL", "amount": "2400.00"}

WRITES = [
    Write("createPerson", KINDS["person"], CREATE_PERSON, lambda rows: {"input": NEW_PERSON}, NEW_PERSON),
    Write(
        "updatePerson",
        KINDS["person"],
        KINDS["person"].update,
        lambda rows: {"id": rows.person["id"], "input": KINDS["person"].change},
        KINDS["person"].change,
    ),
    Write(
        "createDeal",
        KINDS["deal"],
        CREATE_DEAL,
        lambda rows: {"input": {**NEW_DEAL, "personId": rows.person["id"]}},
        NEW_DEAL,
    ),
    Write(
        "updateDeal",
        KINDS["deal"],
        KINDS["deal"].update,
        lambda rows: {"id": rows.deal["id"], "input": KINDS["deal"].change},
        KINDS["deal"].change,
    ),
    Write("createProperty", KINDS["property"], CREATE_PROPERTY, lambda rows: {"input": NEW_PROPERTY}, NEW_PROPERTY),
    Write(
        "updateProperty",
        KINDS["property"],
        KINDS["property"].update,
        lambda rows: {"id": rows.property["id"], "input": KINDS["property"].change},
        KINDS["property"].change,
    ),
]
WRITE_IDS = [write.mutation for write in WRITES]


async def snapshot(owner: Tenant, rows: Rows) -> dict[str, Any]:
    """Everything a denied mutation could have touched: the seeded records and the sizes of every list."""
    state: dict[str, Any] = {
        kind.name: (await owner.gql(kind.read, {"id": rows.of(kind.name)["id"]}))[kind.name] for kind in KINDS.values()
    }
    state["people"] = (await owner.gql(LIST_PEOPLE))["people"]["pagination"]["total"]
    state["deals"] = (await owner.gql(LIST_DEALS))["deals"]["pagination"]["total"]
    state["properties"] = (await owner.gql(SEARCH_PROPERTIES))["properties"]["pagination"]["total"]
    return state


def assert_denied(error: dict[str, Any]) -> None:
    assert error["extensions"] == {"code": "PERMISSION_DENIED"}


@pytest.mark.parametrize("role", list(Role))
async def test_me_reports_the_role_and_its_permissions(tenant: Tenant, role: Role) -> None:
    me = (await tenant.as_role(role).gql(ME))["me"]
    assert me["role"] == role.value
    assert me["user"]["email"] == tenant.emails[role]
    assert me["organization"]["id"] == str(tenant.organization_id)
    assert len(me["permissions"]) == len(PERMISSIONS[role])
    assert set(me["permissions"]) == PERMISSIONS[role]


async def test_viewer_reads_records_and_lists(tenant: Tenant) -> None:
    rows = await seed(tenant, "Shared")
    viewer = tenant.as_role(Role.VIEWER)
    for kind in KINDS.values():
        row = rows.of(kind.name)
        assert (await viewer.gql(kind.read, {"id": row["id"]}))[kind.name] == row
    assert [p["id"] for p in (await viewer.gql(LIST_PEOPLE))["people"]["items"]] == [rows.person["id"]]
    assert [d["id"] for d in (await viewer.gql(LIST_DEALS))["deals"]["items"]] == [rows.deal["id"]]
    assert [p["id"] for p in (await viewer.gql(SEARCH_PROPERTIES))["properties"]["items"]] == [rows.property["id"]]
    assert (await viewer.gql(PIPELINES))["pipelines"] == (await tenant.gql(PIPELINES))["pipelines"]


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
async def test_viewer_cannot_create_or_update(tenant: Tenant, write: Write) -> None:
    rows = await seed(tenant, "Shared")
    before = await snapshot(tenant, rows)
    assert_denied(await tenant.as_role(Role.VIEWER).gql_error(write.document, write.variables(rows)))
    assert await snapshot(tenant, rows) == before


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.OWNER])
@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
async def test_members_who_edit_can_create_and_update(tenant: Tenant, write: Write, role: Role) -> None:
    rows = await seed(tenant, "Shared")
    written = (await tenant.as_role(role).gql(write.document, write.variables(rows)))[write.mutation]
    stored = (await tenant.gql(write.kind.read, {"id": written["id"]}))[write.kind.name]
    assert {field: stored[field] for field in write.expected} == write.expected


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
async def test_agents_and_viewers_cannot_delete(tenant: Tenant, kind: Kind, role: Role) -> None:
    rows = await seed(tenant, "Shared")
    lone_person = await create_person(tenant, firstName="Lone")
    target = lone_person if kind.name == "person" else rows.of(kind.name)
    before = await snapshot(tenant, rows)
    assert_denied(await tenant.as_role(role).gql_error(kind.delete, {"id": target["id"]}))
    assert await snapshot(tenant, rows) == before
    assert (await tenant.gql(kind.read, {"id": target["id"]}))[kind.name] == target


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
async def test_admins_and_owners_can_delete(tenant: Tenant, kind: Kind, role: Role) -> None:
    rows = await seed(tenant, "Shared")
    lone_person = await create_person(tenant, firstName="Lone")
    target = lone_person if kind.name == "person" else rows.of(kind.name)
    deleted = await tenant.as_role(role).gql(kind.delete, {"id": target["id"]})
    assert list(deleted.values()) == [target["id"]]
    assert (await tenant.gql_error(kind.read, {"id": target["id"]}))["extensions"]["code"] == "NOT_FOUND"


async def test_a_denied_delete_of_an_unknown_id_is_still_permission_denied(tenant: Tenant) -> None:
    """The role check comes first: a viewer learns nothing about which ids exist."""
    rows = await seed(tenant, "Shared")
    viewer = tenant.as_role(Role.VIEWER)
    known = await viewer.gql_error(KINDS["deal"].delete, {"id": rows.deal["id"]})
    unknown = await viewer.gql_error(KINDS["deal"].delete, {"id": "00000000-0000-0000-0000-000000000000"})
    assert_denied(known)
    assert known == unknown
