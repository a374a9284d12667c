"""People through GraphQL: create, read, list, update, delete, and the validation of their input."""

from __future__ import annotations

from typing import TypedDict

from tests.factories import Tenant

PERSON_FIELDS = (
    "id firstName lastName fullName email phone city state zipCode source status leadScore tags customFields"
)

CREATE = f"mutation($input: CreatePersonInput!) {{ createPerson(input: $input) {{ {PERSON_FIELDS} }} }}"
UPDATE = (
    f"mutation($id: ID!, $input: UpdatePersonInput!) {{ updatePerson(id: $id, input: $input) {{ {PERSON_FIELDS} }} }}"
)
READ = f"query($id: ID!) {{ person(id: $id) {{ {PERSON_FIELDS} }} }}"
DELETE = "mutation($id: ID!) { deletePerson(id: $id) }"
LIST = """query($search: String, $filter: PersonFilter, $sort: PersonSort, $page: Int, $limit: Int) {
  people(search: $search, filter: $filter, sort: $sort, page: $page, limit: $limit) {
    items { id firstName lastName leadScore }
    pagination { page limit total totalPages hasNextPage hasPreviousPage }
  }
}"""


class Person(TypedDict):
    """A person as PERSON_FIELDS reads it."""

    id: str
    firstName: str
    lastName: str
    fullName: str
    email: str | None
    phone: str | None
    city: str | None
    state: str | None
    zipCode: str | None
    source: str | None
    status: str
    leadScore: int
    tags: list[str]
    customFields: dict[str, object]


async def create_person(tenant: Tenant, **fields: object) -> Person:
    person = {"firstName": "Jennifer", "lastName": "Lopez", **fields}
    created: Person = (await tenant.gql(CREATE, {"input": person}))["createPerson"]
    return created


async def count_people(tenant: Tenant) -> int:
    total: int = (await tenant.gql(LIST))["people"]["pagination"]["total"]
    return total


async def test_create_normalises_and_reads_back(tenant: Tenant) -> None:
    created = await create_person(
        tenant,
        email="  Jen.Lopez@Example.COM ",
        phone="(512) 555-0147",
        city="Austin",
        state="TX",
        zipCode="78701",
        source="REFERRAL",
        tags=["vip", "investor"],
        customFields={"budget": 750000, "schools": ["Casis"]},
    )
    assert created["email"] == "jen.lopez@example.com"
    assert created["phone"] == "+15125550147"
    assert created["fullName"] == "Jennifer Lopez"
    assert created["status"] == "PROSPECT"
    assert created["customFields"] == {"budget": 750000, "schools": ["Casis"]}
    assert (await tenant.gql(READ, {"id": created["id"]}))["person"] == created


async def test_a_lead_score_given_is_ignored_the_score_is_computed(tenant: Tenant) -> None:
    created = await create_person(tenant, source="REFERRAL", leadScore=85)
    assert created["leadScore"] == 30  # the base 25 and 5 for a referral: nothing else is known of her yet
    updated = (await tenant.gql(UPDATE, {"id": created["id"], "input": {"leadScore": 99}}))["updatePerson"]
    assert updated["leadScore"] == 30


async def test_update_changes_only_given_fields_and_null_clears(tenant: Tenant) -> None:
    created = await create_person(tenant, email="a@example.com", city="Austin", status="LEAD")
    updated = (await tenant.gql(UPDATE, {"id": created["id"], "input": {"status": "QUALIFIED", "city": None}}))[
        "updatePerson"
    ]
    assert updated["status"] == "QUALIFIED"
    assert updated["city"] is None
    assert updated["email"] == "a@example.com"
    assert updated["firstName"] == "Jennifer"


async def test_delete_removes_the_person(tenant: Tenant) -> None:
    created = await create_person(tenant)
    assert (await tenant.gql(DELETE, {"id": created["id"]}))["deletePerson"] == created["id"]
    error = await tenant.gql_error(READ, {"id": created["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
    again = await tenant.gql_error(DELETE, {"id": created["id"]})
    assert again["extensions"]["code"] == "NOT_FOUND"


async def test_invalid_input_lists_every_bad_field_and_stores_nothing(tenant: Tenant) -> None:
    bad = {
        "firstName": "",
        "lastName": "x" * 101,
        "email": "not-an-email",
        "phone": "12",
        "zipCode": "ABCDE",
        "tags": [""],
    }
    error = await tenant.gql_error(CREATE, {"input": bad})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    paths = {tuple(issue["path"]) for issue in error["extensions"]["issues"]}
    assert paths == {
        ("input", "firstName"),
        ("input", "lastName"),
        ("input", "email"),
        ("input", "phone"),
        ("input", "zipCode"),
        ("input", "tags", 0),
    }
    assert await count_people(tenant) == 0


async def test_invalid_update_changes_nothing(tenant: Tenant) -> None:
    created = await create_person(tenant, city="Austin")
    error = await tenant.gql_error(UPDATE, {"id": created["id"], "input": {"city": "Boston", "firstName": None}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [issue["path"] for issue in error["extensions"]["issues"]] == [["input", "firstName"]]
    assert (await tenant.gql(READ, {"id": created["id"]}))["person"]["city"] == "Austin"


async def test_duplicate_email_in_one_organization(tenant: Tenant, other_tenant: Tenant) -> None:
    await create_person(tenant, email="dup@example.com")
    error = await tenant.gql_error(CREATE, {"input": {"firstName": "A", "lastName": "B", "email": "DUP@example.com"}})
    assert error["extensions"]["code"] == "DUPLICATE_RECORD"
    assert await count_people(tenant) == 1
    await create_person(other_tenant, email="dup@example.com")


async def test_filters_sort_and_pagination(tenant: Tenant) -> None:
    # Lead scores, from the source alone: none 25, COLD_CALL 26, WEBSITE 28, REFERRAL 30.
    for first, source in (("Ann", None), ("Bob", "COLD_CALL"), ("Cid", "REFERRAL"), ("Dee", "WEBSITE")):
        await create_person(tenant, firstName=first, lastName="Smith", source=source, status="LEAD")
    await create_person(tenant, firstName="Eve", lastName="Jones", source="REFERRAL", status="PAST_CLIENT")
    variables = {
        "filter": {"status": ["LEAD"], "minLeadScore": 26},
        "sort": {"field": "LEAD_SCORE", "direction": "DESC"},
        "limit": 2,
    }
    first_page = (await tenant.gql(LIST, variables))["people"]
    assert [p["firstName"] for p in first_page["items"]] == ["Cid", "Dee"]
    assert first_page["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNextPage": True,
        "hasPreviousPage": False,
    }
    second_page = (await tenant.gql(LIST, {**variables, "page": 2}))["people"]
    assert [p["firstName"] for p in second_page["items"]] == ["Bob"]
    assert second_page["pagination"]["hasNextPage"] is False
    assert second_page["pagination"]["hasPreviousPage"] is True
    by_name = (await tenant.gql(LIST, {"sort": {"field": "NAME", "direction": "ASC"}}))["people"]["items"]
    assert [p["firstName"] for p in by_name] == ["Eve", "Ann", "Bob", "Cid", "Dee"]
    assert (await tenant.gql(LIST, {"search": "jone"}))["people"]["pagination"]["total"] == 1


async def test_limit_outside_one_to_hundred_is_a_validation_error(tenant: Tenant) -> None:
    for limit in (0, 101):
        error = await tenant.gql_error(LIST, {"limit": limit})
        assert error["extensions"]["code"] == "VALIDATION_ERROR"
        assert error["extensions"]["issues"][0]["path"] == ["limit"]
    error = await tenant.gql_error(LIST, {"filter": {"minLeadScore": 80, "maxLeadScore": 20}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
