"""People search: full-text prefixes ranked by relevance, phone digits in any format, trigram suggestions."""

from __future__ import annotations

from tests.factories import Tenant
from tests.test_people import create_person

SEARCH = """query($search: String, $filter: PersonFilter, $sort: PersonSort) {
  people(search: $search, filter: $filter, sort: $sort) { items { firstName lastName } pagination { total } }
}"""
SUGGEST = """query($prefix: String!, $limit: Int) {
  suggestPeople(prefix: $prefix, limit: $limit) { firstName lastName }
}"""


async def names(tenant: Tenant, search: str, **variables: object) -> list[str]:
    data = await tenant.gql(SEARCH, {"search": search, **variables})
    return [f"{p['firstName']} {p['lastName']}" for p in data["people"]["items"]]


async def seed_people(tenant: Tenant) -> None:
    await create_person(
        tenant,
        firstName="Jennifer",
        lastName="Lopez",
        email="jlo@example.com",
        phone="+1 512 555 0147",
        city="Austin",
        tags=["investor"],
    )
    await create_person(tenant, firstName="Jenna", lastName="Ortega", email="jenna@example.com", city="Denver")
    await create_person(tenant, firstName="Mark", lastName="Jennings", email="mark@example.com", city="Austin")
    await create_person(
        tenant, firstName="Bob", lastName="Stone", email="bob@jenkins.example.com", phone="(303) 555-0199", tags=["vip"]
    )


async def test_prefix_matches_words_and_ranks_names_first(tenant: Tenant) -> None:
    await seed_people(tenant)
    found = await names(tenant, "jen")
    assert set(found) == {"Jennifer Lopez", "Jenna Ortega", "Mark Jennings", "Bob Stone"}
    assert found[-1] == "Bob Stone", "a match in the e-mail ranks below matches in names"
    assert await names(tenant, "jen lop") == ["Jennifer Lopez"]
    assert set(await names(tenant, "AUSTIN")) == {"Jennifer Lopez", "Mark Jennings"}
    assert await names(tenant, "investor") == ["Jennifer Lopez"]


async def test_phone_digits_match_whatever_their_formatting(tenant: Tenant) -> None:
    await seed_people(tenant)
    for text in ("512-555-0147", "(512) 555 0147", "+15125550147", "5125550147", "512555"):
        assert await names(tenant, text) == ["Jennifer Lopez"], text
    assert await names(tenant, "303.555.0199") == ["Bob Stone"]


async def test_search_combines_with_filters_and_explicit_sort(tenant: Tenant) -> None:
    await seed_people(tenant)
    in_austin = await names(tenant, "jen", filter={"city": "austin"}, sort={"field": "NAME", "direction": "ASC"})
    assert in_austin == ["Mark Jennings", "Jennifer Lopez"]


async def test_search_text_is_never_query_syntax(tenant: Tenant) -> None:
    await seed_people(tenant)
    assert await names(tenant, "jen & ! :* ' (") == await names(tenant, "jen")
    assert (await tenant.gql(SEARCH, {"search": "!!!"}))["people"]["pagination"]["total"] == 4


async def test_suggest_is_typo_tolerant(tenant: Tenant) -> None:
    await seed_people(tenant)
    typo = (await tenant.gql(SUGGEST, {"prefix": "jenifer"}))["suggestPeople"]
    assert typo[0] == {"firstName": "Jennifer", "lastName": "Lopez"}
    prefix = (await tenant.gql(SUGGEST, {"prefix": "ort"}))["suggestPeople"]
    assert prefix[0] == {"firstName": "Jenna", "lastName": "Ortega"}
    by_email = (await tenant.gql(SUGGEST, {"prefix": "mark@"}))["suggestPeople"]
    assert by_email[0]["lastName"] == "Jennings"
    assert len((await tenant.gql(SUGGEST, {"prefix": "jen", "limit": 2}))["suggestPeople"]) == 2


async def test_suggest_validates_its_arguments(tenant: Tenant) -> None:
    for variables in ({"prefix": ""}, {"prefix": "jen", "limit": 0}, {"prefix": "jen", "limit": 21}):
        error = await tenant.gql_error(SUGGEST, variables)
        assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_another_organizations_people_are_never_found(tenant: Tenant, other_tenant: Tenant) -> None:
    await seed_people(other_tenant)
    assert await names(tenant, "jen") == []
    assert (await tenant.gql(SUGGEST, {"prefix": "jenifer"}))["suggestPeople"] == []
