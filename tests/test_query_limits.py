"""Limits on a document (`winnerr.schema.limits`): depth, aliases and cost are checked in time linear in the
document, and what exceeds them is refused with QUERY_TOO_COMPLEX before any SQL runs."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_property
from tests.live import GraphQLSocket
from tests.test_people import count_people, create_person
from tests.test_statement_count import counting_statements
from tests.test_tasks import create_task
from winnerr.schema.limits import MAX_ALIASES
from winnerr.state import AppState

DEALS_OF_DEALS = """query($id: ID!, $limit: Int) {
  person(id: $id) {
    deals(limit: $limit) { items { person {
      deals(limit: $limit) { items { person {
        deals(limit: $limit) { items { id } }
      } } }
    } } }
  }
}"""

ONE_DEAL = "deals(limit: 1) { items { %s } }"
TEN_LEVELS = "{ " + ONE_DEAL % ("person { " + ONE_DEAL % ("person { " + ONE_DEAL + " }") + " }") + " }"


def code_of(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    code: str = errors[0]["extensions"]["code"]
    return code


def doubling_fragments(count: int, body: str) -> str:
    """`count` fragments on Viewer, each holding `body` and spreading the next one twice: 2^count paths."""
    fragments = [f"fragment F{n} on Viewer {{ {body} ...F{n + 1} ...F{n + 1} }}" for n in range(count)]
    return "\n".join(["{ me { ...F0 } }", *fragments, f"fragment F{count} on Viewer {{ role }}"])


async def test_two_hundred_doubling_fragments_are_refused_and_the_server_goes_on(
    tenant: Tenant, client: httpx.AsyncClient
) -> None:
    response = await tenant.post(doubling_fragments(200, "role"))
    assert code_of(response) == "QUERY_TOO_COMPLEX"
    assert (await client.get("/health")).status_code == 200
    assert (await tenant.gql("{ me { role } }"))["me"]["role"] == "OWNER"


async def test_doubling_fragments_of_objects_are_refused_by_cost(tenant: Tenant) -> None:
    response = await tenant.post(doubling_fragments(60, "organization { id }"))
    assert code_of(response) == "QUERY_TOO_COMPLEX"


async def test_doubling_fragments_of_aliases_are_refused(tenant: Tenant) -> None:
    response = await tenant.post(doubling_fragments(60, "myRole: role"))
    assert code_of(response) == "QUERY_TOO_COMPLEX"


async def test_a_fragment_spread_twice_answers_once(tenant: Tenant) -> None:
    data = await tenant.gql(doubling_fragments(3, "organization { name }"))
    assert data["me"]["role"] == "OWNER"
    assert data["me"]["organization"]["name"]


async def test_ten_levels_answer_and_eleven_are_refused(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = {"title": "Loft", "dealType": "RENTAL", "amount": "2000", "personId": person["id"]}
    await tenant.gql("mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }", {"input": deal})
    ten = await tenant.gql(TEN_LEVELS % "person { id }")
    for _ in range(3):
        ten = ten["deals"]["items"][0]["person"]
    assert ten["id"] == person["id"]
    eleven = await tenant.post(TEN_LEVELS % "person { counts { deals } }")
    assert code_of(eleven) == "QUERY_TOO_COMPLEX"
    assert "11 levels" in eleven.json()["errors"][0]["message"]


async def test_aliases_beyond_the_limit_are_refused(tenant: Tenant) -> None:
    def aliased(count: int) -> str:
        return "{ me { " + " ".join(f"r{n}: role" for n in range(count)) + " } }"

    assert len((await tenant.gql(aliased(MAX_ALIASES)))["me"]) == MAX_ALIASES
    assert code_of(await tenant.post(aliased(MAX_ALIASES + 1))) == "QUERY_TOO_COMPLEX"


async def test_nested_lists_beyond_the_cost_are_refused_before_any_sql(tenant: Tenant, app_state: AppState) -> None:
    person = await create_person(tenant)
    with counting_statements(app_state) as statements:
        response = await tenant.post(DEALS_OF_DEALS, {"id": person["id"], "limit": 100})
    assert code_of(response) == "QUERY_TOO_COMPLEX"
    assert "data" not in response.json(), "a request error: the operation did not run"
    assert all("FROM users JOIN memberships" in statement for statement in statements), "only the principal's"
    small = await tenant.gql(DEALS_OF_DEALS, {"id": person["id"], "limit": 5})
    assert small["person"]["deals"]["items"] == []


async def test_a_subscription_beyond_the_cost_is_refused(tenant: Tenant, host: str) -> None:
    many_deals = "deals(limit: 100) { items { person { %s } } }"
    costly = "subscription { dealUpdated { deal { person { " + many_deals % (many_deals % "id") + " } } } }"
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        message = await socket.next_message(await socket.subscribe(costly))
    assert message["type"] in ("error", "next", "data"), message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["QUERY_TOO_COMPLEX"]


async def test_a_mutation_beyond_the_cost_changes_nothing(tenant: Tenant) -> None:
    costly = """mutation($input: CreatePersonInput!) {
      createPerson(input: $input) { deals(limit: 100) { items { person { deals(limit: 100) { items {
        property { deals(limit: 100) { items { id } } } } } } } } }
    }"""
    before = await count_people(tenant)
    response = await tenant.post(costly, {"input": {"firstName": "Never", "lastName": "Written"}})
    assert code_of(response) == "QUERY_TOO_COMPLEX"
    assert await count_people(tenant) == before


async def test_too_many_sibling_errors_have_a_contract_code(tenant: Tenant) -> None:
    response = await tenant.post("{ me { " + " ".join(f"unknown{n}" for n in range(1000)) + " } }")
    errors = response.json()["errors"]
    assert errors[-1]["message"].endswith("Validation aborted.")
    assert {error["extensions"]["code"] for error in errors} <= {"VALIDATION_ERROR", "QUERY_TOO_COMPLEX"}


PAGED_RELATIONS = """query($id: ID!, $homeId: ID!) {
  person(id: $id) {
    deals(page: 2, limit: 2) { items { title } pagination { page limit total totalPages hasNextPage hasPreviousPage } }
    tasks(limit: 1) { items { title } pagination { total hasNextPage } }
  }
  property(id: $homeId) { deals(limit: 1) { items { title } pagination { total } } }
  favoriteDeals(limit: 1) { items { title } pagination { total } }
  events(limit: 2) { items { sequence } pagination { total hasNextPage } }
}"""


async def test_related_lists_favorites_and_the_audit_log_are_paged(tenant: Tenant) -> None:
    person = await create_person(tenant)
    home = await create_property(tenant)
    deals = [await create_deal(tenant, person["id"], title=f"Deal {n}", propertyId=home["id"]) for n in range(3)]
    for n in range(2):
        await create_task(tenant, title=f"Task {n}", personId=person["id"])
    for deal in deals[:2]:
        await tenant.gql("mutation($id: ID!) { favoriteDeal(id: $id) { id } }", {"id": deal["id"]})

    data = await tenant.gql(PAGED_RELATIONS, {"id": person["id"], "homeId": home["id"]})

    assert data["person"]["deals"] == {
        "items": [{"title": "Deal 0"}],
        "pagination": {
            "page": 2, "limit": 2, "total": 3, "totalPages": 2, "hasNextPage": False, "hasPreviousPage": True,
        },
    }
    assert data["person"]["tasks"]["pagination"] == {"total": 2, "hasNextPage": True}
    assert len(data["person"]["tasks"]["items"]) == 1
    assert data["property"]["deals"] == {"items": [{"title": "Deal 2"}], "pagination": {"total": 3}}
    assert data["favoriteDeals"] == {"items": [{"title": "Deal 1"}], "pagination": {"total": 2}}
    assert len(data["events"]["items"]) == 2
    assert data["events"]["pagination"]["hasNextPage"] is True


@pytest.mark.parametrize(
    "document",
    [
        "query($id: ID!) { person(id: $id) { deals(limit: 101) { items { id } } } }",
        "query($id: ID!) { person(id: $id) { tasks(limit: 101) { items { id } } } }",
        "{ favoriteDeals(limit: 101) { items { id } } }",
        "{ events(limit: 101) { items { sequence } } }",
    ],
)
async def test_a_page_holds_at_most_a_hundred(tenant: Tenant, document: str) -> None:
    person = await create_person(tenant)
    error = await tenant.gql_error(document, {"id": person["id"]} if "$id" in document else None)
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_fragments_that_spread_each_other_are_refused(tenant: Tenant) -> None:
    cycle = "{ me { ...A } } fragment A on Viewer { role ...B } fragment B on Viewer { organization { id } ...A }"
    assert code_of(await tenant.post(cycle)) == "VALIDATION_ERROR"
