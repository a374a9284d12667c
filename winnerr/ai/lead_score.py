"""The lead score: 0–100 from a person's real signals, as factors whose contributions add up to it, and
the next best action in plain words.

Every factor has a fixed range, so the sum always lies within 0–100 without clipping (from 5 to 95):

| factor | range | from |
|---|---|---|
| BASE | 25 | every person starts here |
| RECENCY | 0–20 | 20 when contacted today, falling to 0 at 60 days |
| ENGAGEMENT | 0–10 | 2 per communication in the last 30 days |
| INBOUND | 0–10 | the share of those that the person started |
| SENTIMENT | −10–10 | the last 30 days' mean sentiment (×6) and its change from the 60 days before (×4) |
| OPEN_DEALS | 0–15 | the best open deal's probability (its stage's) |
| OVERDUE_TASKS | −10–0 | −5 per overdue task about the person, at most two counted |
| LEAD_SOURCE | 0–5 | REFERRAL 5, WEBSITE 3, SOCIAL_MEDIA 2, COLD_CALL 1 |

The points are arithmetic over SQL expressions (`contributions`), so that the database ranks, filters and
sorts people by their score; the signals themselves are aggregated in `winnerr.resolvers.insights`. What
comes back is put in words here (`explained`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from winnerr.db.enums import LeadSource

BASE = 25
RECENCY_POINTS, RECENCY_DAYS = 20, 60
ENGAGEMENT_PER_MESSAGE, ENGAGEMENT_MAX = 2, 10
INBOUND_POINTS = 10
SENTIMENT_LEVEL, SENTIMENT_TREND = 6, 4
OPEN_DEAL_POINTS = 15
OVERDUE_PENALTY, OVERDUE_COUNTED = 5, 2
SOURCE_POINTS = {LeadSource.REFERRAL: 5, LeadSource.WEBSITE: 3, LeadSource.SOCIAL_MEDIA: 2, LeadSource.COLD_CALL: 1}
RECENT_DAYS, EARLIER_DAYS, WEEK_DAYS = 30, 90, 7
QUIET_DAYS = 14


class FactorName(StrEnum):
    BASE = "BASE"
    RECENCY = "RECENCY"
    ENGAGEMENT = "ENGAGEMENT"
    INBOUND = "INBOUND"
    SENTIMENT = "SENTIMENT"
    OPEN_DEALS = "OPEN_DEALS"
    OVERDUE_TASKS = "OVERDUE_TASKS"
    LEAD_SOURCE = "LEAD_SOURCE"


@dataclass(frozen=True, slots=True)
class SignalColumns:
    """A person's signals as SQL expressions; their values are `Signals`."""

    source: ColumnElement[Any]
    days_since_contact: ColumnElement[Any]
    recent_messages: ColumnElement[Any]
    recent_inbound: ColumnElement[Any]
    recent_sentiment: ColumnElement[Any]
    earlier_sentiment: ColumnElement[Any]
    open_deals: ColumnElement[Any]
    best_probability: ColumnElement[Any]
    overdue_tasks: ColumnElement[Any]


def _points(expression: Any) -> ColumnElement[int]:
    return cast(func.round(expression), Integer)


def _clamped(expression: Any, low: float, high: float) -> Any:
    return func.greatest(low, func.least(high, expression))


def contributions(signals: SignalColumns) -> dict[FactorName, ColumnElement[int]]:
    """Each factor's points, in SQL."""
    days, recent, sentiment = signals.days_since_contact, signals.recent_messages, signals.recent_sentiment
    trend = _clamped(sentiment - func.coalesce(signals.earlier_sentiment, sentiment), -1.0, 1.0)
    return {
        FactorName.BASE: literal(BASE, Integer),
        FactorName.RECENCY: func.coalesce(
            _points(RECENCY_POINTS * func.greatest(0.0, 1.0 - days / float(RECENCY_DAYS))), 0
        ),
        FactorName.ENGAGEMENT: func.least(ENGAGEMENT_MAX, ENGAGEMENT_PER_MESSAGE * recent),
        FactorName.INBOUND: case(
            (recent > 0, _points(float(INBOUND_POINTS) * signals.recent_inbound / recent)), else_=0
        ),
        FactorName.SENTIMENT: func.coalesce(_points(SENTIMENT_LEVEL * sentiment + SENTIMENT_TREND * trend), 0),
        FactorName.OPEN_DEALS: case(
            (signals.open_deals > 0, func.coalesce(_points(OPEN_DEAL_POINTS * signals.best_probability / 100.0), 0)),
            else_=0,
        ),
        FactorName.OVERDUE_TASKS: -OVERDUE_PENALTY * func.least(signals.overdue_tasks, OVERDUE_COUNTED),
        FactorName.LEAD_SOURCE: case(
            *((signals.source == source, points) for source, points in SOURCE_POINTS.items()), else_=0
        ),
    }


def score_of(points: Mapping[FactorName, ColumnElement[int]]) -> ColumnElement[int]:
    """The lead score in SQL: the sum of the contributions."""
    total: ColumnElement[int] = literal(0, Integer)
    for contribution in points.values():
        total = total + contribution
    return total


@dataclass(frozen=True, slots=True)
class Signals:
    """What the database says about a person (`SignalColumns`, and what the next best action needs)."""

    first_name: str
    source: LeadSource | None
    days_since_contact: int | None
    recent_messages: int
    """Communications in the last 30 days."""
    recent_inbound: int
    unanswered: int
    """Inbound communications newer than the latest outbound one."""
    unanswered_this_week: int
    """Of those, the ones from the last 7 days."""
    recent_sentiment: float | None
    earlier_sentiment: float | None
    """Mean sentiment 30 to 90 days ago."""
    open_deals: int
    best_probability: int | None
    overdue_tasks: int


@dataclass(frozen=True, slots=True)
class Factor:
    name: FactorName
    contribution: int
    detail: str


@dataclass(frozen=True, slots=True)
class LeadScore:
    score: int
    factors: tuple[Factor, ...]
    next_best_action: str


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _sentiment_detail(signals: Signals) -> str:
    if signals.recent_sentiment is None:
        return "no messages in the last 30 days"
    trend = 0.0 if signals.earlier_sentiment is None else signals.recent_sentiment - signals.earlier_sentiment
    direction = "improving" if trend > 0.05 else "worsening" if trend < -0.05 else "steady"
    return f"mean sentiment {signals.recent_sentiment:+.2f}, {direction}"


def _details(signals: Signals) -> dict[FactorName, str]:
    days, probability = signals.days_since_contact, signals.best_probability
    return {
        FactorName.BASE: "every person starts here",
        FactorName.RECENCY: "never contacted" if days is None else f"last contact {_plural(days, 'day')} ago",
        FactorName.ENGAGEMENT: f"{_plural(signals.recent_messages, 'communication')} in the last 30 days",
        FactorName.INBOUND: f"{signals.recent_inbound} of them from the person",
        FactorName.SENTIMENT: _sentiment_detail(signals),
        FactorName.OPEN_DEALS: "no open deal"
        if not signals.open_deals or probability is None
        else f"{_plural(signals.open_deals, 'open deal')}, the best at {probability}%",
        FactorName.OVERDUE_TASKS: _plural(signals.overdue_tasks, "overdue task"),
        FactorName.LEAD_SOURCE: f"source {signals.source.value}" if signals.source else "source unknown",
    }


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def next_best_action(signals: Signals) -> str:
    """One plain sentence: what an agent should do next with this person, most urgent first."""
    name, days = signals.first_name, signals.days_since_contact
    if signals.unanswered and signals.unanswered_this_week:
        return (
            f"Call {name}: they wrote {_times(signals.unanswered_this_week)} this week and you haven't answered."
        )
    if signals.unanswered:
        return f"Reply to {name}: {_plural(signals.unanswered, 'message')} still waiting for an answer."
    if signals.recent_sentiment is not None and signals.recent_sentiment <= -0.05:
        return f"Call {name}: their recent messages sound unhappy; find out what is wrong."
    if signals.overdue_tasks:
        return f"Finish the {_plural(signals.overdue_tasks, 'overdue task')} for {name}."
    if signals.open_deals and (days is None or days >= QUIET_DAYS):
        quiet = "no contact yet" if days is None else f"no contact for {days} days"
        return f"Check in with {name} about the open deal: {quiet}."
    if days is None:
        return f"Introduce yourself to {name}: there is no communication yet."
    if days >= RECENT_DAYS:
        return f"Reconnect with {name}: the last contact was {days} days ago."
    return f"Keep {name} warm: send new listings that fit."


def explained(signals: Signals, points: Mapping[FactorName, int]) -> LeadScore:
    """The score the database computed (`points`), with each factor in words and the next best action."""
    details = _details(signals)
    factors = tuple(Factor(name, points[name], details[name]) for name in FactorName)
    return LeadScore(sum(factor.contribution for factor in factors), factors, next_best_action(signals))
