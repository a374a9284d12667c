"""`Person.counts` and the person's related lists: right numbers, and a constant number of SQL statements."""

from __future__ import annotations

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person, create_property
from tests.test_statement_count import counting_statements
from tests.test_tasks import create_task
from winnerr.state import AppState

COUNTS = "query($id: ID!) { person(id: $id) { counts { deals tasks } } }"
PEOPLE_WITH_RELATIONS = """query($limit: Int) {
  people(limit: $limit) {
    items {
      id
      counts { deals tasks }
      deals(limit: 5) { items { id isFavorite property { deals(limit: 5) { items { id } } } } }
      tasks(limit: 5) { items { id isOverdue assignee { id } deal { id } } }
    }
  }
}"""


async def test_counts_of_deals_and_tasks(tenant: Tenant, other_tenant: Tenant) -> None:
    person = await create_person(tenant)
    for n in range(3):
        await create_deal(tenant, person["id"], title=f"Deal {n}")
    for n in range(2):
        await create_task(tenant, title=f"Task {n}", personId=person["id"])
    loner = await create_person(tenant, firstName="Lone")
    await create_task(tenant, title="about nobody")
    theirs = await create_person(other_tenant)
    await create_deal(other_tenant, theirs["id"])
    assert (await tenant.gql(COUNTS, {"id": person["id"]}))["person"]["counts"] == {"deals": 3, "tasks": 2}
    assert (await tenant.gql(COUNTS, {"id": loner["id"]}))["person"]["counts"] == {"deals": 0, "tasks": 0}
    assert (await other_tenant.gql(COUNTS, {"id": theirs["id"]}))["person"]["counts"] == {"deals": 1, "tasks": 0}


async def add_people(tenant: Tenant, count: int) -> None:
    """People, each with a deal on a property of its own and a task about that deal."""
    for n in range(count):
        person = await create_person(tenant, firstName=f"Person{n}")
        home = await create_property(tenant, address=f"{n} Elm Street")
        deal = await create_deal(tenant, person["id"], propertyId=home["id"])
        await create_task(tenant, personId=person["id"], dealId=deal["id"])


async def statements_for_listing(tenant: Tenant, app_state: AppState, expected_items: int) -> int:
    with counting_statements(app_state) as statements:
        items = (await tenant.gql(PEOPLE_WITH_RELATIONS, {"limit": 100}))["people"]["items"]
    assert len(items) == expected_items
    assert all(item["counts"] == {"deals": 1, "tasks": 1} for item in items)
    assert all(item["tasks"]["items"][0]["deal"]["id"] == item["deals"]["items"][0]["id"] for item in items)
    return len(statements)


async def test_counts_and_related_lists_cost_the_same_statements_for_any_number_of_people(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await add_people(tenant, 3)
    await add_people(other_tenant, 15)
    few = await statements_for_listing(tenant, app_state, 3)
    many = await statements_for_listing(other_tenant, app_state, 15)
    assert few == many
    # principal, page of people (it has room left: no count), then one per loader: deals by person, tasks by
    # person, deal count, task count, favorites, property, members, deal, deals by property
    assert many == 11, f"{many} statements"
