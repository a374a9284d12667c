"""Properties through GraphQL: create, read, update, delete, validation and the property search."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import (
    CREATE_PROPERTY,
    DELETE_PROPERTY,
    READ_PROPERTY,
    SEARCH_PROPERTIES,
    UPDATE_PROPERTY,
    count_properties,
    create_property,
)

# The homes the search tests look through, by address.
LAKE = "1 Lake View Drive"
CONGRESS = "22 Congress Avenue #5"
ELM = "300 Elm Row"
PINE = "4 Pine Court"
CEDAR = "55 Cedar Lane"
LISTINGS: list[dict[str, Any]] = [
    {
        "address": LAKE,
        "city": "Austin",
        "propertyType": "SINGLE_FAMILY",
        "price": "450000.00",
        "bedrooms": 3,
        "bathrooms": "2.5",
        "status": "ACTIVE",
        "description": "Quiet cul-de-sac with a pool",
    },
    {
        "address": CONGRESS,
        "city": "AUSTIN",
        "propertyType": "CONDO",
        "price": "325000.00",
        "bedrooms": 2,
        "bathrooms": "2",
        "status": "PENDING",
        "description": "Downtown views",
    },
    {
        "address": ELM,
        "city": "Dallas",
        "propertyType": "TOWNHOUSE",
        "price": "610000.00",
        "bedrooms": 4,
        "bathrooms": "3.5",
        "status": "ACTIVE",
        "description": "End unit near the lake",
    },
    {
        "address": PINE,
        "city": "Dallas",
        "propertyType": "SINGLE_FAMILY",
        "price": "1250000.00",
        "bedrooms": 5,
        "bathrooms": "4",
        "status": "SOLD",
        "description": "Estate lot",
    },
    {
        "address": CEDAR,
        "city": "Houston",
        "propertyType": "CONDO",
        "price": "199000.00",
        "bedrooms": 1,
        "bathrooms": "1",
        "status": "ACTIVE",
    },
]


async def create_listings(tenant: Tenant) -> None:
    for listing in LISTINGS:
        await create_property(tenant, **listing)


async def search(tenant: Tenant, **criteria: object) -> dict[str, Any]:
    page: dict[str, Any] = (await tenant.gql(SEARCH_PROPERTIES, {"search": criteria}))["properties"]
    return page


async def addresses(tenant: Tenant, **criteria: object) -> list[str]:
    return [item["address"] for item in (await search(tenant, **criteria))["items"]]


async def test_create_reads_back_with_decimal_strings(tenant: Tenant) -> None:
    created = await create_property(
        tenant,
        address=" 12 Oak Street ",
        price="450000",
        bedrooms=3,
        bathrooms="2.5",
        squareFeet=1850,
        mlsNumber="MLS-1001",
        description="Updated kitchen",
    )
    assert created["address"] == "12 Oak Street"
    assert created["price"] == "450000.00"
    assert created["bathrooms"] == "2.5"
    assert created["status"] == "ACTIVE"
    assert created["propertyType"] == "SINGLE_FAMILY"
    assert created["mlsNumber"] == "MLS-1001"
    assert (await tenant.gql(READ_PROPERTY, {"id": created["id"]}))["property"] == created


async def test_update_changes_only_given_fields_and_null_clears(tenant: Tenant) -> None:
    created = await create_property(tenant, bedrooms=3, description="Needs paint", mlsNumber="MLS-1")
    changes = {"price": "475000.50", "status": "PENDING", "bathrooms": "3", "description": None}
    updated = (await tenant.gql(UPDATE_PROPERTY, {"id": created["id"], "input": changes}))["updateProperty"]
    assert updated == {**created, **changes, "bathrooms": "3.0"}
    assert (await tenant.gql(READ_PROPERTY, {"id": created["id"]}))["property"] == updated


async def test_delete_removes_the_property(tenant: Tenant) -> None:
    created = await create_property(tenant)
    assert (await tenant.gql(DELETE_PROPERTY, {"id": created["id"]}))["deleteProperty"] == created["id"]
    assert (await tenant.gql_error(READ_PROPERTY, {"id": created["id"]}))["extensions"]["code"] == "NOT_FOUND"
    assert (await tenant.gql_error(DELETE_PROPERTY, {"id": created["id"]}))["extensions"]["code"] == "NOT_FOUND"
    assert await count_properties(tenant) == 0


async def test_duplicate_mls_number_in_one_organization(tenant: Tenant, other_tenant: Tenant) -> None:
    await create_property(tenant, mlsNumber="MLS-42")
    error = await tenant.gql_error(
        CREATE_PROPERTY,
        {
            "input": {
                "address": "2 Elm",
                "city": "Austin",
                "state": "TX",
                "zipCode": "78702",
                "propertyType": "CONDO",
                "price": "1.00",
                "mlsNumber": "MLS-42",
            }
        },
    )
    assert error["extensions"]["code"] == "DUPLICATE_RECORD"
    assert await count_properties(tenant) == 1
    assert (await create_property(other_tenant, mlsNumber="MLS-42"))["mlsNumber"] == "MLS-42"


async def test_updating_to_a_taken_mls_number_is_a_duplicate_and_changes_nothing(tenant: Tenant) -> None:
    await create_property(tenant, mlsNumber="MLS-1")
    second = await create_property(tenant, mlsNumber="MLS-2")
    error = await tenant.gql_error(
        UPDATE_PROPERTY, {"id": second["id"], "input": {"mlsNumber": "MLS-1", "price": "1.00"}}
    )
    assert error["extensions"]["code"] == "DUPLICATE_RECORD"
    assert (await tenant.gql(READ_PROPERTY, {"id": second["id"]}))["property"] == second


async def test_properties_without_mls_number_do_not_collide(tenant: Tenant) -> None:
    await create_property(tenant)
    await create_property(tenant)
    assert await count_properties(tenant) == 2


async def test_invalid_property_lists_every_bad_field_and_stores_nothing(tenant: Tenant) -> None:
    bad = {
        "address": "",
        "city": "Austin",
        "state": "TX",
        "zipCode": "ABC",
        "propertyType": "CONDO",
        "price": "0",
        "bathrooms": "2.3",
        "bedrooms": -1,
    }
    error = await tenant.gql_error(CREATE_PROPERTY, {"input": bad})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    paths = {tuple(issue["path"]) for issue in error["extensions"]["issues"]}
    assert paths == {
        ("input", "address"),
        ("input", "zipCode"),
        ("input", "price"),
        ("input", "bathrooms"),
        ("input", "bedrooms"),
    }
    assert await count_properties(tenant) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", "0"), ("price", "-5"), ("zipCode", "ABC"), ("zipCode", "7870"), ("bathrooms", "2.3"), ("address", None)],
)
async def test_invalid_update_changes_nothing(tenant: Tenant, field: str, value: object) -> None:
    created = await create_property(tenant)
    error = await tenant.gql_error(UPDATE_PROPERTY, {"id": created["id"], "input": {"city": "Dallas", field: value}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in error["extensions"]["issues"]] == [["input", field]]
    assert (await tenant.gql(READ_PROPERTY, {"id": created["id"]}))["property"] == created


@pytest.mark.parametrize("field", ["address", "city", "state", "zipCode", "propertyType", "price", "status"])
async def test_update_refuses_null_for_a_required_field(tenant: Tenant, field: str) -> None:
    created = await create_property(tenant)
    error = await tenant.gql_error(UPDATE_PROPERTY, {"id": created["id"], "input": {field: None}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in error["extensions"]["issues"]] == [["input", field]]
    assert (await tenant.gql(READ_PROPERTY, {"id": created["id"]}))["property"] == created


async def test_zip_plus_four_is_accepted(tenant: Tenant) -> None:
    assert (await create_property(tenant, zipCode="78701-1234"))["zipCode"] == "78701-1234"


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, {LAKE, CONGRESS, ELM, PINE, CEDAR}),
        ({"propertyType": "CONDO"}, {CONGRESS, CEDAR}),
        ({"minPrice": "325000"}, {LAKE, CONGRESS, ELM, PINE}),
        ({"maxPrice": "450000.00"}, {LAKE, CONGRESS, CEDAR}),
        ({"minPrice": "300000", "maxPrice": "700000"}, {LAKE, CONGRESS, ELM}),
        ({"bedrooms": 4}, {ELM, PINE}),
        ({"bathrooms": "2.5"}, {LAKE, ELM, PINE}),
        ({"bedrooms": 2, "bathrooms": "2"}, {LAKE, CONGRESS, ELM, PINE}),
        ({"city": "austin"}, {LAKE, CONGRESS}),
        ({"city": "DALLAS", "status": "ACTIVE"}, {ELM}),
        ({"status": "SOLD"}, {PINE}),
        ({"query": "lake"}, {LAKE, ELM}),
        ({"query": "DOWNTOWN"}, {CONGRESS}),
        ({"query": "congress"}, {CONGRESS}),
        ({"query": "lake view"}, {LAKE}),
        ({"state": "tx"}, {LAKE, CONGRESS, ELM, PINE, CEDAR}),
        ({"query": "nowhere"}, set()),
        ({"propertyType": "SINGLE_FAMILY", "city": "Austin", "maxPrice": "500000"}, {LAKE}),
    ],
)
async def test_search_filters(tenant: Tenant, criteria: dict[str, object], expected: set[str]) -> None:
    await create_listings(tenant)
    page = await search(tenant, **criteria)
    assert {item["address"] for item in page["items"]} == expected
    assert page["pagination"]["total"] == len(expected)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"city": "Aus%"}, set()),
        ({"city": "A_stin"}, set()),
        ({"city": "______"}, set()),
        ({"city": "austin%"}, set()),
        ({"state": "T_"}, set()),
        ({"query": "100%"}, {"7 Percent Place"}),
    ],
)
async def test_search_values_are_literal_not_like_patterns(
    tenant: Tenant, criteria: dict[str, object], expected: set[str]
) -> None:
    await create_listings(tenant)
    await create_property(tenant, address="7 Percent Place", description="100% renovated")
    assert set(await addresses(tenant, **criteria)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("PRICE_ASC", [CEDAR, CONGRESS, LAKE, ELM, PINE]),
        ("PRICE_DESC", [PINE, ELM, LAKE, CONGRESS, CEDAR]),
        ("NEWEST", [CEDAR, PINE, ELM, CONGRESS, LAKE]),
    ],
)
async def test_search_sort(tenant: Tenant, sort: str, expected: list[str]) -> None:
    await create_listings(tenant)
    assert await addresses(tenant, sort=sort) == expected


async def test_default_sort_is_newest_first(tenant: Tenant) -> None:
    await create_listings(tenant)
    assert await addresses(tenant) == [listing["address"] for listing in reversed(LISTINGS)]


async def test_search_pagination(tenant: Tenant) -> None:
    await create_listings(tenant)
    first = await search(tenant, sort="PRICE_ASC", limit=2)
    assert [item["address"] for item in first["items"]] == [CEDAR, CONGRESS]
    assert first["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 5,
        "totalPages": 3,
        "hasNextPage": True,
        "hasPreviousPage": False,
    }
    last = await search(tenant, sort="PRICE_ASC", limit=2, page=3)
    assert [item["address"] for item in last["items"]] == [PINE]
    assert last["pagination"] == {
        "page": 3,
        "limit": 2,
        "total": 5,
        "totalPages": 3,
        "hasNextPage": False,
        "hasPreviousPage": True,
    }
    beyond = await search(tenant, limit=2, page=4)
    assert beyond["items"] == []
    assert beyond["pagination"]["total"] == 5


@pytest.mark.parametrize(
    ("criteria", "path"),
    [
        ({"minPrice": "500000", "maxPrice": "100000"}, ["search"]),
        ({"limit": 0}, ["search", "limit"]),
        ({"limit": 101}, ["search", "limit"]),
        ({"page": 0}, ["search", "page"]),
        ({"bathrooms": "1.2"}, ["search", "bathrooms"]),
    ],
)
async def test_invalid_search_is_a_validation_error(
    tenant: Tenant, criteria: dict[str, object], path: list[str]
) -> None:
    error = await tenant.gql_error(SEARCH_PROPERTIES, {"search": criteria})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in error["extensions"]["issues"]] == [path]
