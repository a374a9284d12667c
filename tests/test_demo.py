"""`winnerr seed-demo` (issue 15 point 3, issue 10 point 10): a brokerage that reads like a real one, read back
through GraphQL as its owner: homes and clients in real cities, deals in every stage, tasks due and overdue, and a
month of calls, texts both ways, e-mails, notes and showings; a second run changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.cli import graphql, log_in, succeeded, winnerr_async
from winnerr.demo.places import CITIES

CITY = {city.name: city for city in CITIES}
COMMUNICATIONS = """query($page: Int) { communications(page: $page, limit: 100) {
  items { channel direction subject body occurredAt durationSeconds externalId person { fullName } }
  pagination { total hasNextPage } } }"""
PROPERTIES = """{ properties(search: { limit: 100 }) { items {
  address city state zipCode propertyType status price squareFeet bedrooms description } } }"""
PEOPLE = "{ people(limit: 100) { items { fullName email phone city state zipCode status lastContactAt } } }"
BOARD = """query($id: ID!) { pipelineBoard(pipelineId: $id) {
  columns { stage { name } count totalAmount } } }"""
DEALS = """{ deals(limit: 100) { items { title amount status expectedCloseDate actualCloseDate
  stage { name } person { fullName } property { address } } } }"""
TASKS = """query($filter: TaskFilter) { tasks(filter: $filter, limit: 100) {
  items { title dueAt isOverdue done person { fullName } } pagination { total } } }"""


@pytest.fixture(scope="module")
async def owner(cli_env: dict[str, str], client: httpx.AsyncClient) -> str:
    succeeded(await winnerr_async(cli_env, "seed-demo"))
    return await log_in(client, "owner@demo.example.com", "winnerr-demo")


async def every_communication(client: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = (await graphql_with(client, token, COMMUNICATIONS, {"page": page}))["communications"]
        items.extend(answer["items"])
        if not answer["pagination"]["hasNextPage"]:
            return items
        page += 1


async def graphql_with(client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


async def test_a_month_of_communications_of_every_kind(client: httpx.AsyncClient, owner: str) -> None:
    messages = await every_communication(client, owner)
    assert len(messages) >= 150
    kinds = Counter((message["channel"], message["direction"]) for message in messages)
    assert {("SMS", "INBOUND"), ("SMS", "OUTBOUND"), ("CALL", "INBOUND"), ("CALL", "OUTBOUND")} <= set(kinds)
    assert {"EMAIL", "NOTE", "MEETING"} <= {channel for channel, _ in kinds}
    now = datetime.now(UTC)
    for message in messages:
        at = datetime.fromisoformat(message["occurredAt"])
        assert now - timedelta(days=31) <= at <= now, message
        assert message["body"]
        assert "{" not in message["body"], message  # every placeholder filled in
        assert message["person"]["fullName"]
        if message["channel"] in ("CALL", "MEETING"):
            assert 30 <= message["durationSeconds"] <= 5400, message
        else:
            assert message["durationSeconds"] is None
        if message["channel"] == "EMAIL":
            assert message["subject"]
            assert message["externalId"].endswith("@demo-realty.example.com>")
    days = {datetime.fromisoformat(message["occurredAt"]).date() for message in messages}
    assert len(days) >= 20, "spread over the month, not bunched on a few days"


async def test_homes_in_real_places_at_plausible_prices(client: httpx.AsyncClient, owner: str) -> None:
    homes = (await graphql(client, owner, PROPERTIES))["properties"]["items"]
    assert len(homes) == 30
    assert {home["city"] for home in homes} == set(CITY)
    for home in homes:
        city = CITY[home["city"]]
        assert home["state"] == city.state
        assert home["zipCode"] in {place.zip_code for place in city.neighborhoods}, home
        per_square_foot = Decimal(home["price"]) / home["squareFeet"]
        assert city.price_per_square_foot * Decimal("0.7") <= per_square_foot <= city.price_per_square_foot * 2, home
        assert 150_000 <= Decimal(home["price"]) <= 3_000_000
        assert f"{home['bedrooms']}-bedroom" in home["description"]
    assert {"ACTIVE", "PENDING", "SOLD"} <= {home["status"] for home in homes}


async def test_clients_live_where_their_phone_numbers_say(client: httpx.AsyncClient, owner: str) -> None:
    people = (await graphql(client, owner, PEOPLE))["people"]["items"]
    assert len(people) == 50
    assert len({person["phone"] for person in people}) == 50
    assert len({person["email"] for person in people}) == 50
    for person in people:
        city = CITY[person["city"]]
        assert person["phone"].startswith(f"+1{city.area_code}55501"), person
        assert person["zipCode"] in {place.zip_code for place in city.neighborhoods}
    assert {"LEAD", "PROSPECT", "QUALIFIED", "ACTIVE_CLIENT", "PAST_CLIENT"} <= {p["status"] for p in people}


async def test_deals_in_every_stage_with_fitting_amounts_and_dates(client: httpx.AsyncClient, owner: str) -> None:
    [pipeline] = (await graphql(client, owner, "{ pipelines { id } }"))["pipelines"]
    columns = (await graphql_with(client, owner, BOARD, {"id": pipeline["id"]}))["pipelineBoard"]["columns"]
    assert all(column["count"] >= 1 for column in columns), columns
    assert sum(column["count"] for column in columns) == 40
    today = date.today()
    for deal in (await graphql(client, owner, DEALS))["deals"]["items"]:
        assert Decimal(deal["amount"]) >= 10_000, deal
        assert deal["person"]["fullName"]
        assert deal["property"]["address"]
        if deal["status"] == "OPEN":
            assert deal["actualCloseDate"] is None
            assert date.fromisoformat(deal["expectedCloseDate"]) >= today - timedelta(days=5), deal
        else:
            assert date.fromisoformat(deal["actualCloseDate"]) < today, deal


async def test_tasks_due_overdue_and_done(client: httpx.AsyncClient, owner: str) -> None:
    async def count(**filter: bool) -> int:
        total: int = (await graphql_with(client, owner, TASKS, {"filter": filter}))["tasks"]["pagination"]["total"]
        return total

    assert await count(overdue=True) >= 3
    assert await count(done=True) >= 1
    upcoming = (await graphql_with(client, owner, TASKS, {"filter": {"done": False}}))["tasks"]["items"]
    assert any(not task["isOverdue"] for task in upcoming)
    assert all(task["title"] and "{" not in task["title"] for task in upcoming)


async def test_seeding_again_adds_nothing(cli_env: dict[str, str], client: httpx.AsyncClient, owner: str) -> None:
    before = await every_communication(client, owner)
    tasks = (await graphql_with(client, owner, TASKS, {}))["tasks"]["pagination"]["total"]
    assert "unchanged" in succeeded(await winnerr_async(cli_env, "seed-demo"))
    assert await every_communication(client, owner) == before
    assert (await graphql_with(client, owner, TASKS, {}))["tasks"]["pagination"]["total"] == tasks
