"""The compiled read path is the one taken: one statement answers a list of deals with their people and
properties, whatever its length; what it does not take (other fields, misses, COMPILED_READS=off) runs on the
resolvers."""

from __future__ import annotations

import uuid

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person, create_property
from tests.test_sqlplan_differential import CREATE_TASK, LOG, comparable, compiled_reads
from tests.test_statement_count import counting_statements
from winnerr.settings import load_settings
from winnerr.state import AppState

DEALS = """query($limit: Int) {
  deals(limit: $limit) {
    items { id title amount status probability createdAt
      person { id firstName lastName email phone }
      property { id address city state price bedrooms bathrooms } }
    pagination { total hasNextPage }
  }
}"""
DEAL = "query($id: ID!) { deal(id: $id) { id title person { id } property { id } } }"
FAVORITE = "query { deals { items { id isFavorite } } }"


async def add_deals(tenant: Tenant, count: int) -> list[str]:
    ids = []
    for n in range(count):
        person = await create_person(tenant, firstName=f"Buyer{n}", email=f"buyer{n}@example.com")
        home = await create_property(tenant, address=f"{n} Main St", bedrooms=3, bathrooms="2.5")
        ids.append(str((await create_deal(tenant, person["id"], title=f"Deal {n}", propertyId=home["id"]))["id"]))
    return ids


async def compiled_statements(tenant: Tenant, app_state: AppState, query: str, variables: dict[str, object]) -> int:
    """How many statements answer `query`; asserts the compiled path answered it as the resolvers do."""
    with counting_statements(app_state) as statements:
        compiled = await tenant.post(query, variables)
    with compiled_reads(app_state, False), counting_statements(app_state) as resolved_statements:
        resolved = await tenant.post(query, variables)
    assert comparable(compiled.json()) == comparable(resolved.json())
    assert sum("json_build_object" in statement for statement in statements) == 1
    assert not any("json_build_object" in statement for statement in resolved_statements)
    assert len(statements) <= len(resolved_statements)
    return len(statements)


async def test_one_statement_answers_a_list_of_deals_whatever_its_length(
    tenant: Tenant, app_state: AppState
) -> None:
    await add_deals(tenant, 6)
    few = await compiled_statements(tenant, app_state, DEALS, {"limit": 2})
    many = await compiled_statements(tenant, app_state, DEALS, {"limit": 100})
    assert few == many == 2  # the caller's membership, then the answer


async def test_a_deal_by_id_is_compiled_and_a_miss_is_told_by_the_resolvers(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    [deal_id] = await add_deals(tenant, 1)
    assert await compiled_statements(tenant, app_state, DEAL, {"id": deal_id}) == 2
    for missing in (str(uuid.uuid4()), deal_id):
        asker = tenant if missing != deal_id else other_tenant
        body = (await asker.post(DEAL, {"id": missing})).json()
        assert body["data"] == {"deal": None}
        assert [(error["path"], error["extensions"]["code"]) for error in body["errors"]] == [(["deal"], "NOT_FOUND")]


async def test_fields_with_resolvers_of_their_own_and_the_setting_off_run_on_the_resolvers(
    tenant: Tenant, app_state: AppState
) -> None:
    await add_deals(tenant, 1)
    with counting_statements(app_state) as statements:
        favorites = await tenant.gql(FAVORITE)
    assert favorites["deals"]["items"][0]["isFavorite"] is False
    with compiled_reads(app_state, False), counting_statements(app_state) as off:
        await tenant.gql(DEALS, {"limit": 5})
    assert not any("json_build_object" in statement for statement in [*statements, *off])


WORK = """query($person: ID) {
  tasks(limit: 5) { items { id title dueAt completedAt person { lastName } deal { title } } pagination { total } }
  communications(personId: $person) { items { channel direction occurredAt mediaUrls person { id } } }
  pipelines { name isDefault stages { name position probability closesAs } }
}"""
PERSON_WORK = """query($id: ID!) { person(id: $id) {
  tasks { items { title } pagination { total } } communications(limit: 2) { items { channel subject } } } }"""


async def test_tasks_communications_and_pipelines_are_compiled(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    [deal_id] = await add_deals(tenant, 1)
    person_id = (await tenant.gql(DEAL, {"id": deal_id}))["deal"]["person"]["id"]
    await tenant.gql(CREATE_TASK, {"input": {"title": "Call back", "personId": person_id, "dealId": deal_id}})
    await tenant.gql(LOG, {"input": {"personId": person_id, "channel": "SMS", "direction": "INBOUND"}})
    cases: list[tuple[str, dict[str, object]]] = [
        (WORK, {"person": person_id}), (WORK, {"person": None}), (PERSON_WORK, {"id": person_id})
    ]
    for query, variables in cases:
        assert await compiled_statements(tenant, app_state, query, variables) == 2  # the membership, the answer
    body = (await other_tenant.post(WORK, {"person": person_id})).json()  # another organization's person
    assert [(error["path"], error["extensions"]["code"]) for error in body["errors"]] == [
        (["communications"], "NOT_FOUND")
    ]


def test_compiled_reads_is_a_setting_on_by_default() -> None:
    assert load_settings().compiled_reads is True
    assert load_settings(compiled_reads="off").compiled_reads is False
    assert load_settings(compiled_reads="on").compiled_reads is True
