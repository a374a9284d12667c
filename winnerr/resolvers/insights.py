"""Insights: each person's lead score with its factors, and the organization's hot leads, stale deals and
pipeline forecast. The signals are aggregated and the points added up in SQL (`ScoredPeople`; the weighting
is `winnerr.ai.lead_score`), so that hot leads are ranked, and people filtered and sorted by score, in the
database.

A person's insights are read for every person of a request at once (one statement, whatever the number of
people), through a DataLoader kept beside the request's other loaders; `Person.leadScore` reads the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from weakref import WeakKeyDictionary

from pydantic import Field
from sqlalchemy import Date, Select, cast, func, select
from strawberry.dataloader import DataLoader

from winnerr.ai.lead_score import (
    FactorName,
    LeadScore,
    Signals,
    explained,
)
from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import DealStatus, PersonStatus
from winnerr.db.lead_scores import SCORED
from winnerr.db.models import Communication, Deal, Person, Task
from winnerr.db.scope import TenantScope
from winnerr.resolvers.loaders import Loaders, SharedLoader
from winnerr.resolvers.validation import Rules, validate

DEFAULT_HOT_LEADS, MAX_HOT_LEADS = 10, 50
DEFAULT_STALE_DAYS, MAX_STALE_DAYS = 14, 365
DEFAULT_STALE_DEALS, MAX_STALE_DEALS = 20, 100
FORECAST_MONTHS = 6
INSIGHT_LIST_CAPS = {
    "Insights.hotLeads": MAX_HOT_LEADS,
    "Insights.staleDeals": MAX_STALE_DEALS,
    "Insights.forecast": FORECAST_MONTHS,
    "PersonInsights.factors": len(FactorName),
}
"""The bounds of the insight lists, for the cost limit (`winnerr.schema.limits.LIST_CAPS`)."""
NOT_LEADS = (PersonStatus.PAST_CLIENT,)
"""People left out of the hot leads."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PersonInsight:
    person: Person
    score: LeadScore


@dataclass(frozen=True, slots=True)
class StaleDeal:
    deal: Deal
    last_activity_at: datetime
    days_inactive: int


@dataclass(frozen=True, slots=True)
class ForecastMonth:
    month: date
    deals: int
    amount: Decimal
    weighted_amount: Decimal


class HotLeadRules(Rules):
    limit: Annotated[int, Field(ge=1, le=MAX_HOT_LEADS)] = DEFAULT_HOT_LEADS


class StaleRules(Rules):
    days: Annotated[int, Field(ge=1, le=MAX_STALE_DAYS)] = DEFAULT_STALE_DAYS
    limit: Annotated[int, Field(ge=1, le=MAX_STALE_DEALS)] = DEFAULT_STALE_DEALS


def _insight(row: Any) -> PersonInsight:
    person: Person = row[0]
    sentiments = (row.recent_sentiment, row.earlier_sentiment)
    recent_sentiment, earlier_sentiment = (None if value is None else float(value) for value in sentiments)
    signals = Signals(
        first_name=person.first_name,
        source=person.source,
        days_since_contact=row.days_since_contact,
        recent_messages=row.recent_messages,
        recent_inbound=row.recent_inbound,
        unanswered=row.unanswered,
        unanswered_this_week=row.unanswered_this_week,
        recent_sentiment=recent_sentiment,
        earlier_sentiment=earlier_sentiment,
        open_deals=row.open_deals,
        best_probability=row.best_probability,
        overdue_tasks=row.overdue_tasks,
    )
    points = {name: getattr(row, f"points_{name.value}") for name in FactorName}
    return PersonInsight(person, explained(signals, points))


async def _insights(scope: TenantScope, query: Select[Any]) -> list[PersonInsight]:
    return [_insight(row) for row in (await scope.execute(query)).all()]


_LOADERS: WeakKeyDictionary[Loaders, DataLoader[uuid.UUID, PersonInsight | None]] = WeakKeyDictionary()


def insight_loader(ctx: Context) -> DataLoader[uuid.UUID, PersonInsight | None]:
    """The request's loader of person insights (by person id), made on first use."""
    if ctx.loaders not in _LOADERS:

        async def load(ids: list[uuid.UUID]) -> Sequence[PersonInsight | None]:
            query = SCORED.with_points(ctx.scope.select(Person).where(Person.id.in_(ids)))
            found = {insight.person.id: insight for insight in await _insights(ctx.scope, query)}
            return [found.get(person_id) for person_id in ids]

        _LOADERS[ctx.loaders] = SharedLoader(load_fn=load)
    return _LOADERS[ctx.loaders]


async def person_insight(ctx: Context, person_id: uuid.UUID) -> PersonInsight:
    ctx.principal.require(Permission.READ)
    insight = await insight_loader(ctx).load(person_id)
    assert insight is not None, "a person shown is a person of the organization"
    return insight


async def hot_leads(ctx: Context, limit: int | None) -> list[PersonInsight]:
    """The people (past clients aside) with the highest lead scores; the best first, then by name."""
    ctx.principal.require(Permission.READ)
    rules = validate(HotLeadRules, {} if limit is None else {"limit": limit}, at=None)
    query = SCORED.with_points(ctx.scope.select(Person).where(Person.status.not_in(NOT_LEADS)))
    ranked = query.order_by(SCORED.score.desc(), Person.last_name, Person.first_name, Person.id)
    best = await _insights(ctx.scope, ranked.limit(rules.limit))
    loader = insight_loader(ctx)
    for found in best:
        loader.prime(found.person.id, found)
    return best


async def stale_deals(ctx: Context, days: int | None, limit: int | None) -> list[StaleDeal]:
    """Open deals with no activity for `days` days, the longest quiet first. Activity: the deal changing, a
    communication with its person, a change to one of its tasks."""
    ctx.principal.require(Permission.READ)
    given = {name: value for name, value in (("days", days), ("limit", limit)) if value is not None}
    rules = validate(StaleRules, given, at=None)
    now = datetime.now(UTC)
    messages = (
        select(Communication.person_id, func.max(Communication.occurred_at).label("at"))
        .where(ctx.scope.where(Communication))
        .group_by(Communication.person_id)
        .subquery()
    )
    tasks = (
        select(Task.deal_id, func.max(Task.updated_at).label("at"))
        .where(ctx.scope.where(Task), Task.deal_id.is_not(None))
        .group_by(Task.deal_id)
        .subquery()
    )
    activity = func.greatest(Deal.updated_at, messages.c.at, tasks.c.at)
    query = (
        select(Deal, activity.label("last_activity_at"))
        .outerjoin(messages, messages.c.person_id == Deal.person_id)
        .outerjoin(tasks, tasks.c.deal_id == Deal.id)
        .where(ctx.scope.where(Deal), Deal.status == DealStatus.OPEN, activity < now - timedelta(days=rules.days))
        .order_by(activity, Deal.id)
        .limit(rules.limit)
    )
    rows = (await ctx.scope.execute(query)).all()
    return [StaleDeal(row[0], row.last_activity_at, (now - row.last_activity_at).days) for row in rows]


def _month_starts(today: date) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(FORECAST_MONTHS + 1):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def forecast(ctx: Context) -> list[ForecastMonth]:
    """Open deals by expected close month, this month and the five after it: count, amount and amount
    weighted by the deal's probability. Months without deals are there with zeros."""
    ctx.principal.require(Permission.READ)
    months = _month_starts(datetime.now(UTC).date())
    month = cast(func.date_trunc("month", Deal.expected_close_date), Date).label("month")
    query = (
        select(
            month,
            func.count().label("deals"),
            func.sum(Deal.amount).label("amount"),
            func.round(func.sum(Deal.amount * Deal.probability) / 100, 2).label("weighted"),
        )
        .where(
            ctx.scope.where(Deal),
            Deal.status == DealStatus.OPEN,
            Deal.expected_close_date >= months[0],
            Deal.expected_close_date < months[-1],
        )
        .group_by(month)
    )
    found = {row.month: row for row in (await ctx.scope.execute(query)).all()}
    zero = Decimal("0.00")
    return [
        ForecastMonth(start, found[start].deals, found[start].amount, found[start].weighted)
        if start in found
        else ForecastMonth(start, 0, zero, zero)
        for start in months[:-1]
    ]
