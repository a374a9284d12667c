"""Deals through GraphQL: where a new deal lands, its commission, relations, updates, lists and deletes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import (
    CREATE_DEAL,
    DELETE_DEAL,
    DELETE_PERSON,
    DELETE_PROPERTY,
    LIST_DEALS,
    READ_DEAL,
    READ_PERSON,
    UPDATE_DEAL,
    count_deals,
    create_deal,
    create_person,
    create_property,
    stage_named,
)
from tests.test_sqlplan_differential import compiled_reads
from winnerr.state import AppState

RELATIONS = """query($id: ID!) {
  deal(id: $id) {
    person { id fullName }
    property { id address }
    stage { id name probability closesAs }
    pipeline { id name isDefault }
  }
}"""
PERSON_DEALS = "query($id: ID!) { person(id: $id) { deals { items { id title } pagination { total } } } }"
PROPERTY_DEALS = "query($id: ID!) { property(id: $id) { deals { items { id title } pagination { total } } } }"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def test_new_deal_starts_open_in_the_first_stage_of_the_default_pipeline(tenant: Tenant) -> None:
    person = await create_person(tenant)
    home = await create_property(tenant, address="1 Main Street")
    deal = await create_deal(tenant, person["id"], propertyId=home["id"], tags=["hot"])
    assert deal["status"] == "OPEN"
    assert deal["probability"] == 10
    assert deal["amount"] == "500000.00"
    assert deal["commission"] is None
    assert deal["actualCloseDate"] is None
    assert deal["tags"] == ["hot"]
    relations = (await tenant.gql(RELATIONS, {"id": deal["id"]}))["deal"]
    assert relations["person"] == {"id": person["id"], "fullName": "Jennifer Lopez"}
    assert relations["property"] == {"id": home["id"], "address": "1 Main Street"}
    assert relations["stage"]["name"] == "New Lead"
    assert relations["stage"]["probability"] == 10
    assert relations["pipeline"] == {"id": relations["pipeline"]["id"], "name": "Sales", "isDefault": True}
    assert (await tenant.gql(READ_DEAL, {"id": deal["id"]}))["deal"] == deal


async def test_deal_without_property_has_property_null(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"])
    assert (await tenant.gql(RELATIONS, {"id": deal["id"]}))["deal"]["property"] is None


async def test_explicit_probability_is_kept(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], probability=35)
    assert deal["probability"] == 35
    assert deal["status"] == "OPEN"


async def test_deal_in_an_open_stage_takes_that_stage_and_its_probability(tenant: Tenant) -> None:
    person = await create_person(tenant)
    showing = await stage_named(tenant, "Showing")
    deal = await create_deal(tenant, person["id"], stageId=showing["id"])
    assert deal["probability"] == 40
    assert deal["status"] == "OPEN"
    assert deal["actualCloseDate"] is None
    assert (await tenant.gql(RELATIONS, {"id": deal["id"]}))["deal"]["stage"]["id"] == showing["id"]


@pytest.mark.parametrize(("stage", "status", "probability"), [("Closed Won", "WON", 100), ("Closed Lost", "LOST", 0)])
async def test_deal_created_in_a_closing_stage_is_closed(
    tenant: Tenant, stage: str, status: str, probability: int
) -> None:
    person = await create_person(tenant)
    closing = await stage_named(tenant, stage)
    deal = await create_deal(tenant, person["id"], stageId=closing["id"], probability=50)
    assert deal["status"] == status
    assert deal["probability"] == probability
    assert deal["actualCloseDate"] == today()


@pytest.mark.parametrize(
    ("fields", "commission"),
    [
        ({"commissionRate": "3"}, "15000.00"),
        ({"commissionRate": "2.5"}, "12500.00"),
        ({"commissionRate": "3", "commission": "9999.99"}, "9999.99"),
        ({"commission": "1234.50"}, "1234.50"),
        ({}, None),
    ],
)
async def test_commission_follows_from_rate_unless_given(
    tenant: Tenant, fields: dict[str, str], commission: str | None
) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], amount="500000.00", **fields)
    assert deal["commission"] == commission


async def test_update_changes_only_given_fields(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], description="Corner lot", tags=["a"])
    changes = {"title": "Renamed", "dealType": "RENTAL", "probability": 55, "expectedCloseDate": "2031-05-01"}
    updated = (await tenant.gql(UPDATE_DEAL, {"id": deal["id"], "input": changes}))["updateDeal"]
    assert updated == {**deal, **changes}
    assert (await tenant.gql(READ_DEAL, {"id": deal["id"]}))["deal"] == updated


async def test_update_recomputes_commission_from_the_rate(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], amount="500000.00", commissionRate="3")

    async def update(**changes: object) -> dict[str, Any]:
        updated: dict[str, Any] = (await tenant.gql(UPDATE_DEAL, {"id": deal["id"], "input": changes}))["updateDeal"]
        return updated

    assert (await update(amount="600000.00"))["commission"] == "18000.00"
    assert (await update(commissionRate="2"))["commission"] == "12000.00"
    assert (await update(title="Only the title"))["commission"] == "12000.00"
    explicit = await update(amount="700000.00", commission="5000.00")
    assert explicit["commission"] == "5000.00"
    assert explicit["amount"] == "700000.00"


async def test_update_of_amount_without_a_rate_keeps_the_commission(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], commission="4000.00")
    updated = (await tenant.gql(UPDATE_DEAL, {"id": deal["id"], "input": {"amount": "800000.00"}}))["updateDeal"]
    assert updated["amount"] == "800000.00"
    assert updated["commission"] == "4000.00"


async def test_update_can_move_the_deal_to_another_person(tenant: Tenant) -> None:
    first = await create_person(tenant)
    second = await create_person(tenant, firstName="Marc", lastName="Anthony")
    deal = await create_deal(tenant, first["id"])
    await tenant.gql(UPDATE_DEAL, {"id": deal["id"], "input": {"personId": second["id"]}})
    assert (await tenant.gql(RELATIONS, {"id": deal["id"]}))["deal"]["person"]["fullName"] == "Marc Anthony"


async def test_delete_removes_the_deal(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"])
    assert (await tenant.gql(DELETE_DEAL, {"id": deal["id"]}))["deleteDeal"] == deal["id"]
    assert (await tenant.gql_error(READ_DEAL, {"id": deal["id"]}))["extensions"]["code"] == "NOT_FOUND"
    assert (await tenant.gql_error(DELETE_DEAL, {"id": deal["id"]}))["extensions"]["code"] == "NOT_FOUND"
    assert await count_deals(tenant) == 0


@pytest.mark.parametrize("amount", ["0", "-100.00"])
async def test_invalid_deal_lists_every_bad_field_and_stores_nothing(tenant: Tenant, amount: str) -> None:
    person = await create_person(tenant)
    await create_deal(tenant, person["id"])
    bad = {
        "title": "",
        "dealType": "LISTING",
        "amount": amount,
        "personId": person["id"],
        "probability": 101,
        "commissionRate": "100.5",
    }
    error = await tenant.gql_error(CREATE_DEAL, {"input": bad})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    paths = {tuple(issue["path"]) for issue in error["extensions"]["issues"]}
    assert paths == {("input", "title"), ("input", "amount"), ("input", "probability"), ("input", "commissionRate")}
    assert await count_deals(tenant) == 1


async def test_invalid_update_changes_nothing(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], probability=20)
    error = await tenant.gql_error(
        UPDATE_DEAL, {"id": deal["id"], "input": {"probability": 30, "amount": "0", "title": None}}
    )
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    paths = {tuple(issue["path"]) for issue in error["extensions"]["issues"]}
    assert paths == {("input", "amount"), ("input", "title")}
    assert (await tenant.gql(READ_DEAL, {"id": deal["id"]}))["deal"] == deal


@pytest.mark.parametrize("field", ["title", "dealType", "amount", "personId", "probability", "tags"])
async def test_update_refuses_null_for_a_field_that_cannot_be_empty(tenant: Tenant, field: str) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"], probability=20)
    error = await tenant.gql_error(UPDATE_DEAL, {"id": deal["id"], "input": {"description": "x", field: None}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in error["extensions"]["issues"]] == [["input", field]]
    assert (await tenant.gql(READ_DEAL, {"id": deal["id"]}))["deal"] == deal


async def test_update_with_null_clears_optional_fields(tenant: Tenant) -> None:
    person = await create_person(tenant)
    home = await create_property(tenant)
    deal = await create_deal(
        tenant, person["id"], propertyId=home["id"], description="d", expectedCloseDate="2030-01-01", commission="9.00"
    )
    cleared = {"description": None, "expectedCloseDate": None, "commission": None, "propertyId": None}
    updated = (await tenant.gql(UPDATE_DEAL, {"id": deal["id"], "input": cleared}))["updateDeal"]
    assert updated == {**deal, "description": None, "expectedCloseDate": None, "commission": None}
    assert (await tenant.gql(RELATIONS, {"id": deal["id"]}))["deal"]["property"] is None


async def test_unknown_person_is_not_found_and_stores_nothing(tenant: Tenant) -> None:
    error = await tenant.gql_error(
        CREATE_DEAL,
        {"input": {"title": "T", "dealType": "LISTING", "amount": "1.00", "personId": str(uuid.uuid4())}},
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert await count_deals(tenant) == 0


async def titles(tenant: Tenant, variables: dict[str, Any]) -> list[str]:
    items = (await tenant.gql(LIST_DEALS, variables))["deals"]["items"]
    return [item["title"] for item in items]


async def test_list_filters(tenant: Tenant) -> None:
    ann = await create_person(tenant, firstName="Ann")
    bob = await create_person(tenant, firstName="Bob")
    won = await stage_named(tenant, "Closed Won")
    lost = await stage_named(tenant, "Closed Lost")
    await create_deal(tenant, ann["id"], title="A1", dealType="LISTING", amount="100000.00")
    await create_deal(tenant, ann["id"], title="A2", dealType="RENTAL", amount="2500.00", stageId=won["id"])
    await create_deal(tenant, bob["id"], title="B1", dealType="BUYER_REPRESENTATION", amount="300000.00")
    await create_deal(tenant, bob["id"], title="B2", dealType="LISTING", amount="900000.00", stageId=lost["id"])

    async def matching(**filters: object) -> set[str]:
        return set(await titles(tenant, {"filter": filters}))

    assert await matching() == {"A1", "A2", "B1", "B2"}
    assert await matching(status=["OPEN"]) == {"A1", "B1"}
    assert await matching(status=["WON", "LOST"]) == {"A2", "B2"}
    assert await matching(dealType=["LISTING"]) == {"A1", "B2"}
    assert await matching(dealType=["RENTAL", "BUYER_REPRESENTATION"]) == {"A2", "B1"}
    assert await matching(personId=ann["id"]) == {"A1", "A2"}
    assert await matching(personId=bob["id"], status=["OPEN"]) == {"B1"}
    assert await matching(minAmount="100000.00") == {"A1", "B1", "B2"}
    assert await matching(maxAmount="300000.00") == {"A1", "A2", "B1"}
    assert await matching(minAmount="100000.01", maxAmount="300000.00") == {"B1"}
    assert await matching(minAmount="5000", maxAmount="5000") == set()
    assert await matching(stageId=won["id"]) == {"A2"}


async def test_min_amount_above_max_amount_is_a_validation_error(tenant: Tenant) -> None:
    error = await tenant.gql_error(LIST_DEALS, {"filter": {"minAmount": "500000", "maxAmount": "100000"}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in error["extensions"]["issues"]] == [["filter"]]


@pytest.mark.parametrize(
    ("direction", "first_page", "second_page"),
    [("ASC", ["D1", "D2"], ["D3"]), ("DESC", ["D3", "D2"], ["D1"])],
)
async def test_sort_by_amount_with_pagination(
    tenant: Tenant, direction: str, first_page: list[str], second_page: list[str]
) -> None:
    person = await create_person(tenant)
    for title, amount in (("D2", "250000.00"), ("D3", "1250000.00"), ("D1", "99000.00")):
        await create_deal(tenant, person["id"], title=title, amount=amount)
    variables = {"sort": {"field": "AMOUNT", "direction": direction}, "limit": 2}
    page_one = (await tenant.gql(LIST_DEALS, variables))["deals"]
    assert [item["title"] for item in page_one["items"]] == first_page
    assert page_one["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNextPage": True,
        "hasPreviousPage": False,
    }
    page_two = (await tenant.gql(LIST_DEALS, {**variables, "page": 2}))["deals"]
    assert [item["title"] for item in page_two["items"]] == second_page
    assert page_two["pagination"]["hasNextPage"] is False
    assert page_two["pagination"]["hasPreviousPage"] is True


async def test_person_and_property_list_their_deals_newest_first(tenant: Tenant) -> None:
    person = await create_person(tenant)
    other = await create_person(tenant, firstName="Other")
    home = await create_property(tenant)
    first = await create_deal(tenant, person["id"], title="First", propertyId=home["id"])
    second = await create_deal(tenant, person["id"], title="Second")
    third = await create_deal(tenant, other["id"], title="Third", propertyId=home["id"])
    person_deals = (await tenant.gql(PERSON_DEALS, {"id": person["id"]}))["person"]["deals"]
    assert person_deals["items"] == [{"id": second["id"], "title": "Second"}, {"id": first["id"], "title": "First"}]
    assert person_deals["pagination"]["total"] == 2
    property_deals = (await tenant.gql(PROPERTY_DEALS, {"id": home["id"]}))["property"]["deals"]
    assert property_deals["items"] == [{"id": third["id"], "title": "Third"}, {"id": first["id"], "title": "First"}]
    assert property_deals["pagination"]["total"] == 2


async def test_deleting_a_person_with_deals_is_a_conflict(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"])
    error = await tenant.gql_error(DELETE_PERSON, {"id": person["id"]})
    assert error["extensions"]["code"] == "CONFLICT"
    assert (await tenant.gql(READ_PERSON, {"id": person["id"]}))["person"]["id"] == person["id"]
    assert (await tenant.gql(READ_DEAL, {"id": deal["id"]}))["deal"] == deal
    await tenant.gql(DELETE_DEAL, {"id": deal["id"]})
    assert (await tenant.gql(DELETE_PERSON, {"id": person["id"]}))["deletePerson"] == person["id"]


async def test_deleting_a_property_keeps_its_deals_without_it(tenant: Tenant) -> None:
    person = await create_person(tenant)
    home = await create_property(tenant)
    deal = await create_deal(tenant, person["id"], propertyId=home["id"])
    assert (await tenant.gql(DELETE_PROPERTY, {"id": home["id"]}))["deleteProperty"] == home["id"]
    assert (await tenant.gql(READ_DEAL, {"id": deal["id"]}))["deal"] == deal
    assert (await tenant.gql(RELATIONS, {"id": deal["id"]}))["deal"]["property"] is None
    assert await count_deals(tenant) == 1


PERSON_FIELDS = "fullName email phone source status tags customFields lastContactAt createdAt updatedAt"
PROPERTY_FIELDS = "address propertyType status price bedrooms bathrooms squareFeet mlsNumber createdAt updatedAt"


async def test_a_deal_shows_its_person_and_property_as_they_show_themselves(
    tenant: Tenant, app_state: AppState
) -> None:
    """On the resolvers, the deal's statement reads its person and property in (`winnerr.resolvers.joined`):
    every kind of column (JSON, arrays, enums, decimals, times, nulls) comes out as the person and property
    queries show them."""
    person = await create_person(
        tenant, source="REFERRAL", tags=["vip", "cash"], customFields={"budget": 750000, "schools": ["Casis"]}
    )
    home = await create_property(tenant, bedrooms=3, bathrooms="2.5", squareFeet=1800)
    deal = await create_deal(tenant, person["id"], propertyId=home["id"])
    with compiled_reads(app_state, False):
        shown = await tenant.gql(
            f"query($id: ID!) {{ deal(id: $id) {{ person {{ {PERSON_FIELDS} }} property {{ {PROPERTY_FIELDS} }} }} }}",
            {"id": deal["id"]},
        )
        themselves = await tenant.gql(
            f"query($p: ID!, $h: ID!) {{ person(id: $p) {{ {PERSON_FIELDS} }} "
            f"property(id: $h) {{ {PROPERTY_FIELDS} }} }}",
            {"p": person["id"], "h": home["id"]},
        )
    assert shown["deal"] == themselves
    assert shown["deal"]["person"]["customFields"] == {"budget": 750000, "schools": ["Casis"]}
    assert shown["deal"]["property"]["bathrooms"] == "2.5"
