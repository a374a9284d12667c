"""Insights: lead score factors that add up (against a hand computation), hot leads, stale deals, the
forecast, and a constant number of statements for a list of people with their insights."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from tests.database import owner_sessions
from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person, stage_named
from tests.test_statement_count import counting_statements
from tests.test_tasks import create_task
from winnerr.db.enums import Role
from winnerr.db.models import Deal
from winnerr.state import AppState

LOG = """mutation($input: LogCommunicationInput!) { logCommunication(input: $input) { sentiment { score } } }"""
INSIGHTS_OF = """query($id: ID!) { person(id: $id) {
  insights { leadScore nextBestAction factors { name contribution detail } } } }"""
HOT_LEADS = "query($limit: Int) { insights { hotLeads(limit: $limit) { id firstName insights { leadScore } } } }"
STALE = """query($days: Int) { insights { staleDeals(days: $days) { deal { id } lastActivityAt daysInactive } } }"""
STALE_DEFAULT = "{ insights { staleDeals { deal { id } daysInactive } } }"
FORECAST = "{ insights { forecast { month deals amount weightedAmount } } }"
PEOPLE_WITH_INSIGHTS = """query($limit: Int) { people(limit: $limit) { items { id leadScore
  insights { leadScore nextBestAction factors { name contribution } } } } }"""
BY_SCORE = """query($min: Int) { people(filter: {minLeadScore: $min}, sort: {field: LEAD_SCORE, direction: DESC}) {
  items { firstName leadScore insights { leadScore } } } }"""


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def log(tenant: Tenant, person_id: str, direction: str, body: str, occurred_at: str) -> float:
    entry = {"personId": person_id, "channel": "SMS", "direction": direction, "body": body, "occurredAt": occurred_at}
    score: float = (await tenant.gql(LOG, {"input": entry}))["logCommunication"]["sentiment"]["score"]
    return score


async def test_lead_score_factors_add_up_to_a_hand_computed_score(tenant: Tenant) -> None:
    person = await create_person(tenant, firstName="Jennifer", source="REFERRAL")
    scores = [
        await log(tenant, person["id"], "OUTBOUND", "Following up on the showing", ago(days=2)),
        await log(tenant, person["id"], "INBOUND", "We loved the house!", ago(hours=2)),
        await log(tenant, person["id"], "INBOUND", "Can't wait to see it again", ago(hours=1)),
    ]
    await create_deal(tenant, person["id"], probability=60)
    await create_task(tenant, personId=person["id"], dueAt=ago(days=1))
    await create_task(tenant, personId=person["id"], dueAt=(datetime.now(UTC) + timedelta(days=3)).isoformat())

    insights = (await tenant.as_role(Role.VIEWER).gql(INSIGHTS_OF, {"id": person["id"]}))["person"]["insights"]
    factors = {factor["name"]: factor["contribution"] for factor in insights["factors"]}
    assert factors == {
        "BASE": 25,
        "RECENCY": 20,  # last contact an hour ago
        "ENGAGEMENT": 6,  # 3 messages in 30 days, 2 points each
        "INBOUND": 7,  # 2 of the 3 from her: 10 × 2/3
        "SENTIMENT": round(6 * sum(scores) / 3),  # no earlier messages: no trend
        "OPEN_DEALS": 9,  # 15 × 60%
        "OVERDUE_TASKS": -5,  # one of two tasks is overdue
        "LEAD_SOURCE": 5,  # referral
    }
    assert insights["leadScore"] == sum(factors.values())
    assert insights["nextBestAction"] == "Call Jennifer: they wrote twice this week and you haven't answered."


async def test_a_person_with_no_signals_has_the_base_score_and_an_introduction(tenant: Tenant) -> None:
    person = await create_person(tenant, firstName="Quiet")
    insights = (await tenant.gql(INSIGHTS_OF, {"id": person["id"]}))["person"]["insights"]
    assert insights["leadScore"] == 25
    assert sum(factor["contribution"] for factor in insights["factors"]) == 25
    assert insights["nextBestAction"] == "Introduce yourself to Quiet: there is no communication yet."


async def test_hot_leads_are_the_best_scores_of_the_organization_past_clients_aside(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    cold = await create_person(tenant, firstName="Cold")
    warm = await create_person(tenant, firstName="Warm", source="WEBSITE")
    hot = await create_person(tenant, firstName="Hot", source="REFERRAL")
    await log(tenant, hot["id"], "INBOUND", "We're under contract!", ago(hours=3))
    past = await create_person(tenant, firstName="Past", source="REFERRAL", status="PAST_CLIENT")
    await log(tenant, past["id"], "INBOUND", "Thank you so much!", ago(hours=3))
    theirs = await create_person(other_tenant, firstName="Theirs", source="REFERRAL")
    await log(other_tenant, theirs["id"], "INBOUND", "Love it!", ago(hours=1))

    leads = (await tenant.as_role(Role.VIEWER).gql(HOT_LEADS, {"limit": 2}))["insights"]["hotLeads"]
    assert [lead["id"] for lead in leads] == [hot["id"], warm["id"]]
    everyone = (await tenant.gql(HOT_LEADS, {"limit": 50}))["insights"]["hotLeads"]
    assert [lead["id"] for lead in everyone] == [hot["id"], warm["id"], cold["id"]]
    scores = [lead["insights"]["leadScore"] for lead in everyone]
    assert scores == sorted(scores, reverse=True)
    error = await tenant.gql_error(HOT_LEADS, {"limit": 51})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_people_are_filtered_and_sorted_by_the_computed_score_that_they_show(tenant: Tenant) -> None:
    quiet = await create_person(tenant, firstName="Quiet")
    talking = await create_person(tenant, firstName="Talking", source="COLD_CALL")
    await log(tenant, talking["id"], "INBOUND", "Can we see the house on Saturday?", ago(hours=1))
    everyone = (await tenant.gql(BY_SCORE, {"min": 0}))["people"]["items"]
    assert [person["firstName"] for person in everyone] == ["Talking", "Quiet"]
    assert all(person["leadScore"] == person["insights"]["leadScore"] for person in everyone)
    assert everyone[1]["leadScore"] == 25
    assert everyone[0]["leadScore"] > 40  # base 25, contacted today 20, one message 2, from her 10, source 1
    warm = (await tenant.gql(BY_SCORE, {"min": 40}))["people"]["items"]
    assert [person["firstName"] for person in warm] == ["Talking"]
    await log(tenant, quiet["id"], "INBOUND", "Hello! Is the condo still for sale?", ago(minutes=5))
    assert len((await tenant.gql(BY_SCORE, {"min": 40}))["people"]["items"]) == 2  # read when asked: no staleness


async def test_hot_leads_are_ranked_in_one_statement_whatever_the_number_of_people(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await add_people_with_signals(tenant, 2)
    await add_people_with_signals(other_tenant, 12)
    counts = []
    for member in (tenant, other_tenant):
        with counting_statements(app_state) as statements:
            leads = (await member.gql(HOT_LEADS, {"limit": 5}))["insights"]["hotLeads"]
        counts.append(len(statements))
        scores = [lead["insights"]["leadScore"] for lead in leads]
        assert scores == sorted(scores, reverse=True)
    assert counts[0] == counts[1]


async def set_updated_at(app_state: AppState, deal_id: str, days_ago: int) -> None:
    """Deals change only through the API, which stamps them now; a deal long untouched is made here."""
    async with owner_sessions(app_state).begin() as session:
        stamp = datetime.now(UTC) - timedelta(days=days_ago)
        await session.execute(update(Deal).where(Deal.id == uuid.UUID(deal_id)).values(updated_at=stamp))


async def test_stale_deals_are_open_deals_without_activity_for_n_days(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    quiet = await create_person(tenant, firstName="Quiet")
    talking = await create_person(tenant, firstName="Talking")
    forgotten = await create_deal(tenant, quiet["id"], title="Forgotten")
    older = await create_deal(tenant, quiet["id"], title="Older")
    discussed = await create_deal(tenant, talking["id"], title="Discussed")
    won = await create_deal(tenant, quiet["id"], title="Won", stageId=(await closed_won(tenant)))
    fresh = await create_deal(tenant, talking["id"], title="Fresh")
    for deal, days in ((forgotten, 20), (older, 40), (discussed, 30), (won, 60)):
        await set_updated_at(app_state, deal["id"], days)
    await log(tenant, talking["id"], "INBOUND", "Any news?", ago(days=3))
    theirs = await create_deal(other_tenant, (await create_person(other_tenant))["id"])
    await set_updated_at(app_state, theirs["id"], 50)

    stale = (await tenant.gql(STALE, {"days": 14}))["insights"]["staleDeals"]
    assert [(item["deal"]["id"], item["daysInactive"]) for item in stale] == [(older["id"], 40), (forgotten["id"], 20)]
    assert [item["deal"]["id"] for item in (await tenant.gql(STALE, {"days": 30}))["insights"]["staleDeals"]] == [
        older["id"]
    ]
    assert (await tenant.gql(STALE_DEFAULT))["insights"]["staleDeals"] == [
        {"deal": {"id": older["id"]}, "daysInactive": 40},
        {"deal": {"id": forgotten["id"]}, "daysInactive": 20},
    ]
    assert fresh["id"] not in {item["deal"]["id"] for item in stale}
    error = await tenant.gql_error(STALE, {"days": 0})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def closed_won(tenant: Tenant) -> str:
    stage: dict[str, Any] = await stage_named(tenant, "Closed Won")
    return str(stage["id"])


def month_start(today: date, ahead: int) -> date:
    month = today.month - 1 + ahead
    return date(today.year + month // 12, month % 12 + 1, 1)


async def test_forecast_weights_open_deals_by_expected_close_month(tenant: Tenant, other_tenant: Tenant) -> None:
    today = datetime.now(UTC).date()
    person = (await create_person(tenant))["id"]
    plans = [  # (months ahead, amount, probability)
        (0, "100000.00", 50),
        (0, "40000.00", 10),
        (1, "200000.00", 25),
        (3, "300000.00", 80),
        (6, "999000.00", 90),  # the seventh month: outside
        (-1, "999000.00", 90),  # last month: outside
    ]
    for ahead, amount, probability in plans:
        close = month_start(today, ahead) + timedelta(days=14)
        await create_deal(tenant, person, amount=amount, probability=probability, expectedCloseDate=close.isoformat())
    await create_deal(
        tenant, person, amount="500000.00", stageId=await closed_won(tenant), expectedCloseDate=today.isoformat()
    )
    await create_deal(other_tenant, (await create_person(other_tenant))["id"], expectedCloseDate=today.isoformat())

    forecast = (await tenant.gql(FORECAST))["insights"]["forecast"]
    expected = {0: (2, "140000.00", "54000.00"), 1: (1, "200000.00", "50000.00"), 3: (1, "300000.00", "240000.00")}
    assert forecast == [
        {
            "month": month_start(today, ahead).isoformat(),
            "deals": expected.get(ahead, (0,))[0],
            "amount": expected.get(ahead, (0, "0.00"))[1],
            "weightedAmount": expected.get(ahead, (0, "0.00", "0.00"))[2],
        }
        for ahead in range(6)
    ]
    assert Decimal(forecast[0]["weightedAmount"]) == Decimal("100000") * 50 / 100 + Decimal("40000") * 10 / 100


async def add_people_with_signals(tenant: Tenant, count: int) -> None:
    for n in range(count):
        person = await create_person(tenant, firstName=f"Person{n}", source="WEBSITE")
        await log(tenant, person["id"], "INBOUND", "We loved it", ago(days=n % 5))
        await create_deal(tenant, person["id"])
        await create_task(tenant, personId=person["id"], dueAt=ago(days=1))


async def statements_for(tenant: Tenant, app_state: AppState, expected: int) -> int:
    with counting_statements(app_state) as statements:
        items = (await tenant.gql(PEOPLE_WITH_INSIGHTS, {"limit": 100}))["people"]["items"]
    assert len(items) == expected
    for item in items:
        assert item["insights"]["leadScore"] == sum(f["contribution"] for f in item["insights"]["factors"])
        assert item["leadScore"] == item["insights"]["leadScore"]
    return len(statements)


async def test_a_list_of_people_with_insights_costs_a_constant_number_of_statements(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await add_people_with_signals(tenant, 3)
    await add_people_with_signals(other_tenant, 12)
    few = await statements_for(tenant, app_state, 3)
    many = await statements_for(other_tenant, app_state, 12)
    assert few == many
    # principal, the people's page (it has room left, so it is their count too), then one statement for all the
    # people's insights
    assert many == 3, f"{many} statements"
