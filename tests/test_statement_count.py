"""Relationships are joined in or batched by DataLoaders: listing N deals with their people, properties and
the people's deals costs the same number of SQL statements whatever N is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.factories import Tenant
from tests.test_people import create_person
from winnerr.state import AppState

DEALS_WITH_RELATIONS = """query($limit: Int) {
  deals(limit: $limit) {
    items {
      title
      person { fullName deals { items { id title } } }
      property { address deals { items { id } } }
      stage { name }
      pipeline { name stages { name } }
    }
    pagination { total }
  }
}"""

BINDING = "SELECT set_config("
"""How the statements binding a transaction to the runtime role and organization begin (`winnerr.db.engine`)."""

CREATE_PROPERTY = """mutation($input: CreatePropertyInput!) { createProperty(input: $input) { id } }"""
CREATE_DEAL = """mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }"""


@contextmanager
def counting_statements(app_state: AppState) -> Iterator[list[str]]:
    """The statements the app runs inside the block, but for its presence heartbeat, which runs on its own
    every few seconds whatever the requests do, and the `set_config` that opens each transaction (the runtime
    role and organization, `winnerr.db.engine`): one per transaction, not per query."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "presence" not in statement and not statement.startswith(BINDING):
            statements.append(statement)

    engine = app_state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    app_state.database.reads.listeners.append(statements.append)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        app_state.database.reads.listeners.remove(statements.append)


async def add_deals(tenant: Tenant, count: int) -> None:
    for n in range(count):
        person = await create_person(tenant, firstName=f"Buyer{n}", email=f"buyer{n}@example.com")
        home = await tenant.gql(
            CREATE_PROPERTY,
            {
                "input": {
                    "address": f"{100 + n} Main St",
                    "city": "Austin",
                    "state": "TX",
                    "zipCode": "78701",
                    "propertyType": "CONDO",
                    "price": "350000",
                }
            },
        )
        deal = {
            "title": f"Deal {n}",
            "dealType": "BUYER_REPRESENTATION",
            "amount": "350000",
            "personId": person["id"],
            "propertyId": home["createProperty"]["id"],
        }
        await tenant.gql(CREATE_DEAL, {"input": deal})


async def statements_for_listing(tenant: Tenant, app_state: AppState, expected_items: int) -> int:
    with counting_statements(app_state) as statements:
        data = await tenant.gql(DEALS_WITH_RELATIONS, {"limit": 100})
    assert len(data["deals"]["items"]) == expected_items
    assert all(item["person"]["deals"]["items"] for item in data["deals"]["items"])
    return len(statements)


async def test_statement_count_is_constant_in_the_number_of_deals(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await add_deals(tenant, 4)
    await add_deals(other_tenant, 40)
    few = await statements_for_listing(tenant, app_state, 4)
    many = await statements_for_listing(other_tenant, app_state, 40)
    assert few == many
    # principal; the page of deals with their person, property, stage and pipeline joined in
    # (`winnerr.resolvers.joined`); then one per loader: deals by person, deals by property, stages by pipeline;
    # no count: every page is a first page with room left, so it holds all rows
    assert many == 5, f"{many} statements"


DEAL_BY_ID = """query($id: ID!) {
  deal(id: $id) { title ...Parties }
}
fragment Parties on Deal { person { fullName } ... on Deal { property { address } stage { name } } }"""
"""`fullName` has a resolver of its own: the resolvers answer, not the compiled read path."""


async def test_a_deal_by_id_is_read_with_the_rows_it_shows_in_one_statement(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await add_deals(tenant, 1)
    homeless = await tenant.gql(
        CREATE_DEAL,
        {
            "input": {
                "title": "No home yet",
                "dealType": "BUYER_REPRESENTATION",
                "amount": "1000",
                "personId": (await create_person(tenant, firstName="Solo"))["id"],
            }
        },
    )
    listed = await tenant.gql("query { deals(sort: {field: TITLE, direction: ASC}) { items { id } } }")
    deal_id, homeless_id = (item["id"] for item in listed["deals"]["items"])
    assert homeless_id == homeless["createDeal"]["id"]
    with counting_statements(app_state) as statements:
        with_home = await tenant.gql(DEAL_BY_ID, {"id": deal_id})
        without = await tenant.gql(DEAL_BY_ID, {"id": homeless_id})
    assert with_home["deal"] == {
        "title": "Deal 0",
        "person": {"fullName": "Buyer0 Lopez"},
        "property": {"address": "100 Main St"},
        "stage": {"name": "New Lead"},
    }
    assert without["deal"]["person"] == {"fullName": "Solo Lopez"}
    assert without["deal"]["property"] is None
    # per request: the principal, then the deal with its person, property and stage joined in
    assert len(statements) == 4, statements
    other = await other_tenant.post(DEAL_BY_ID, {"id": deal_id})
    assert other.json()["data"] == {"deal": None}
    assert other.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@contextmanager
def counting_transactions(app_state: AppState) -> Iterator[list[str]]:
    """The statements the app's sessions run in the block (the presence heartbeat's aside), each in a transaction
    of its session: what the read pool runs (`winnerr.db.reads`) needs none."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "presence" not in statement:
            statements.append(statement)

    engine = app_state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


PEOPLE_AND_DEALS = """query {
  deals(limit: 2, sort: {field: TITLE, direction: ASC}) {
    items { title person { fullName } property { address } } pagination { total hasNextPage }
  }
  people(limit: 1, filter: {status: [PROSPECT, LEAD]}) { items { fullName } pagination { total } }
}"""
"""`fullName` has a resolver of its own: the resolvers answer, not the compiled read path."""


async def test_a_list_page_and_its_total_are_each_one_statement_of_the_read_pool(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await add_deals(tenant, 3)
    await add_deals(other_tenant, 1)
    with counting_statements(app_state) as statements, counting_transactions(app_state) as in_sessions:
        data = await tenant.gql(PEOPLE_AND_DEALS)
    assert data["deals"]["items"] == [
        {"title": f"Deal {n}", "person": {"fullName": f"Buyer{n} Lopez"}, "property": {"address": f"{100 + n} Main St"}}
        for n in (0, 1)
    ]
    assert data["deals"]["pagination"] == {"total": 3, "hasNextPage": True}
    assert data["people"]["pagination"] == {"total": 3}
    # the principal; each list's page (the deals' with their people and properties joined in) and its count
    assert len(statements) == 5, statements
    # of those, only the principal is read in a session's transaction: the pages and their counts are each one
    # statement of the read pool, with no transaction of a session around them
    assert [statement for statement in in_sessions if not statement.startswith(BINDING)] == statements[:1]
