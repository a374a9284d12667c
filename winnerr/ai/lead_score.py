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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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
class Signals:
    """What the database says about a person, aggregated in SQL (`winnerr.resolvers.insights`)."""

    first_name: str
    source: LeadSource | None
    last_contact_at: datetime | None
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


def _days_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, (now - moment).days)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _recency(days: int | None) -> Factor:
    if days is None:
        return Factor(FactorName.RECENCY, 0, "never contacted")
    points = round(RECENCY_POINTS * max(0.0, 1 - days / RECENCY_DAYS))
    return Factor(FactorName.RECENCY, points, f"last contact {_plural(days, 'day')} ago")


def _sentiment(signals: Signals) -> Factor:
    if signals.recent_sentiment is None:
        return Factor(FactorName.SENTIMENT, 0, "no messages in the last 30 days")
    trend = 0.0 if signals.earlier_sentiment is None else signals.recent_sentiment - signals.earlier_sentiment
    trend = max(-1.0, min(1.0, trend))
    points = round(SENTIMENT_LEVEL * signals.recent_sentiment + SENTIMENT_TREND * trend)
    direction = "improving" if trend > 0.05 else "worsening" if trend < -0.05 else "steady"
    return Factor(FactorName.SENTIMENT, points, f"mean sentiment {signals.recent_sentiment:+.2f}, {direction}")


def _factors(signals: Signals, now: datetime) -> tuple[Factor, ...]:
    recent, inbound = signals.recent_messages, signals.recent_inbound
    overdue = min(signals.overdue_tasks, OVERDUE_COUNTED)
    probability = signals.best_probability if signals.open_deals else None
    return (
        Factor(FactorName.BASE, BASE, "every person starts here"),
        _recency(_days_since(signals.last_contact_at, now)),
        Factor(
            FactorName.ENGAGEMENT,
            min(ENGAGEMENT_MAX, ENGAGEMENT_PER_MESSAGE * recent),
            f"{_plural(recent, 'communication')} in the last 30 days",
        ),
        Factor(
            FactorName.INBOUND,
            round(INBOUND_POINTS * inbound / recent) if recent else 0,
            f"{inbound} of them from the person",
        ),
        _sentiment(signals),
        Factor(
            FactorName.OPEN_DEALS,
            0 if probability is None else round(OPEN_DEAL_POINTS * probability / 100),
            "no open deal" if probability is None else
            f"{_plural(signals.open_deals, 'open deal')}, the best at {probability}%",
        ),
        Factor(FactorName.OVERDUE_TASKS, -OVERDUE_PENALTY * overdue, _plural(signals.overdue_tasks, "overdue task")),
        Factor(
            FactorName.LEAD_SOURCE,
            SOURCE_POINTS.get(signals.source, 0) if signals.source else 0,
            f"source {signals.source.value}" if signals.source else "source unknown",
        ),
    )


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def next_best_action(signals: Signals, now: datetime) -> str:
    """One plain sentence: what an agent should do next with this person, most urgent first."""
    name = signals.first_name
    days = _days_since(signals.last_contact_at, now)
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


def lead_score(signals: Signals, now: datetime) -> LeadScore:
    factors = _factors(signals, now)
    return LeadScore(sum(factor.contribution for factor in factors), factors, next_best_action(signals, now))
