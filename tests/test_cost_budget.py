"""The query-cost budget: each member's points, spent before an operation runs, refilling continuously, reported
on every answer as `extensions.cost`; and the document limits around it (root mutations, aliases, batches)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import Tenant, make_tenant
from tests.test_rate_limits import instance
from winnerr.db.enums import Role
from winnerr.settings import Settings

BUDGET = 30
PEOPLE_PAGE = "{ people(limit: 10) { items { id } pagination { total } } }"
PEOPLE_PAGE_COST = 12  # the page, its 10 items and its pagination
CREATE_PERSON = 'createPerson(input: {firstName: "Ann", lastName: "Lee"}) { id }'
COUNT_PEOPLE = "{ people { pagination { total } } }"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


@pytest.fixture
async def budgeted(settings: Settings) -> AsyncIterator[Tenant]:
    """A tenant of an app whose members have 30 points every 4 seconds."""
    async with instance(settings.model_copy(update={"cost_budget": f"{BUDGET}/4 seconds"})) as (client, state):
        await state.limits.storage.reset()
        yield await make_tenant(state.database, settings, client)


def mutations(count: int) -> str:
    return "mutation {" + " ".join(f"p{number}: {CREATE_PERSON}" for number in range(count)) + "}"


async def test_every_answer_reports_its_cost(tenant: Tenant, settings: Settings) -> None:
    budget = settings.cost_budget_item.amount
    await tenant.gql(mutations(3))
    viewer = tenant.as_role(Role.VIEWER)  # nothing spent yet
    answer = (await viewer.post(PEOPLE_PAGE)).json()
    assert answer["extensions"]["cost"] == {
        "requested": PEOPLE_PAGE_COST,
        "actual": 5,  # the page, 3 people, the pagination
        "budget": budget,
        "remaining": budget - PEOPLE_PAGE_COST,
    }
    invalid = (await viewer.post("{ people { nope } }")).json()
    assert invalid["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert invalid["extensions"]["cost"] == {
        "requested": 0,
        "actual": 0,
        "budget": budget,
        "remaining": budget - PEOPLE_PAGE_COST,
    }


async def test_the_same_document_costs_what_its_variables_ask_for(tenant: Tenant) -> None:
    """A document is counted once, except where a variable's value counts: the same text under other variables
    is charged for what they ask, whichever of them came first."""
    by_variable = "query($limit: Int) { people(limit: $limit) { items { id } pagination { total } } }"
    by_list = "mutation($ids: [ID!]!) { bulkDeletePeople(ids: $ids) { failed rows { index } } }"
    for limit, cost in ((10, PEOPLE_PAGE_COST), (3, 5), (10, PEOPLE_PAGE_COST)):
        answer = (await tenant.post(by_variable, {"limit": limit})).json()
        assert answer["extensions"]["cost"]["requested"] == cost, answer
    fixed = (await tenant.post(PEOPLE_PAGE, {"limit": 3})).json()
    assert fixed["extensions"]["cost"]["requested"] == PEOPLE_PAGE_COST, "a variable the document never uses"
    costs = [
        (await tenant.post(by_list, {"ids": [str(uuid.uuid4()) for _ in range(count)]})).json()["extensions"]["cost"]
        for count in (4, 1)
    ]
    assert costs[0]["requested"] > costs[1]["requested"], costs


async def test_a_spent_budget_refuses_then_refills(budgeted: Tenant) -> None:
    for remaining in (BUDGET - PEOPLE_PAGE_COST, BUDGET - 2 * PEOPLE_PAGE_COST):
        answer = await budgeted.post(PEOPLE_PAGE)
        assert answer.status_code == 200, answer.text
        assert answer.json()["extensions"]["cost"]["remaining"] == remaining
    refused = await budgeted.client.post(
        "/graphql",
        json={"query": PEOPLE_PAGE},
        headers={**budgeted.headers(), "Accept": GRAPHQL_RESPONSE_JSON},
    )
    assert refused.status_code == 429, refused.text
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) == error["extensions"]["retryAfter"] > 0
    assert "data" not in refused.json()
    assert (await budgeted.as_role(Role.AGENT).post(PEOPLE_PAGE)).status_code == 200, "the budget is per member"
    assert await refilled(budgeted, int(refused.headers["Retry-After"]))


async def refilled(tenant: Tenant, wait: int) -> bool:
    """Whether the member's budget comes back, waiting as long as each refusal says (a few times at most)."""
    for _ in range(10):
        await asyncio.sleep(wait)
        answer = await tenant.post(PEOPLE_PAGE)
        if answer.status_code == 200:
            return True
        wait = int(answer.headers["Retry-After"])
    return False


async def test_a_mutation_over_the_budget_changes_nothing(budgeted: Tenant) -> None:
    for _ in range(2):
        await budgeted.gql(PEOPLE_PAGE)
    refused = await budgeted.post(mutations(10))  # 10 points, 6 left
    assert refused.status_code == 429, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert (await budgeted.as_role(Role.AGENT).gql(COUNT_PEOPLE))["people"]["pagination"]["total"] == 0


async def test_at_most_ten_root_mutations(tenant: Tenant) -> None:
    error = await tenant.gql_error(mutations(11))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
    assert (await tenant.gql(COUNT_PEOPLE))["people"]["pagination"]["total"] == 0
    assert len(await tenant.gql(mutations(10))) == 10


async def test_a_thousand_aliases_are_refused(tenant: Tenant) -> None:
    document = "{" + " ".join(f"a{number}: me {{ role }}" for number in range(1000)) + "}"
    error = await tenant.gql_error(document)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error


async def test_a_batch_of_fifty_is_refused(tenant: Tenant, client: httpx.AsyncClient) -> None:
    batch = [{"query": "mutation { " + CREATE_PERSON + " }"}] * 50
    refused = await client.post("/graphql", json=batch, headers=tenant.headers())
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"].startswith("Batching is not enabled")
    assert (await tenant.gql(COUNT_PEOPLE))["people"]["pagination"]["total"] == 0
