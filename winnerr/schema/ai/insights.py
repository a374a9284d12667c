"""The insight types: a person's lead score with its factors, and the organization's hot leads, stale deals
and forecast."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from winnerr.ai.lead_score import FactorName
from winnerr.resolvers import insights
from winnerr.schema.deals.types import Deal
from winnerr.schema.described import describe_values
from winnerr.schema.mapping import from_row
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info

strawberry.enum(FactorName, name="LeadScoreFactorName", description="A signal the lead score is made of.")
describe_values(
    FactorName,
    {
        "BASE": "25 points every person starts with.",
        "RECENCY": "0–20: 20 when contacted today, falling to 0 at 60 days.",
        "ENGAGEMENT": "0–10: 2 per communication in the last 30 days.",
        "INBOUND": "0–10: the share of those communications the person started.",
        "SENTIMENT": "−10 to 10: the last 30 days' mean sentiment and its change from the 60 days before.",
        "OPEN_DEALS": "0–15: the best open deal's probability, scaled.",
        "OVERDUE_TASKS": "−10 to 0: −5 per overdue task about the person, at most two counted.",
        "LEAD_SOURCE": "0–5: REFERRAL 5, WEBSITE 3, SOCIAL_MEDIA 2, COLD_CALL 1.",
    },
)


@strawberry.type(description="One signal of a lead score and the points it adds (or takes away).")
class LeadScoreFactor:
    name: FactorName = strawberry.field(
        description="BASE 25; RECENCY 0–20; ENGAGEMENT 0–10; INBOUND 0–10; SENTIMENT −10–10; OPEN_DEALS 0–15; "
        "OVERDUE_TASKS −10–0; LEAD_SOURCE 0–5."
    )
    contribution: int = strawberry.field(description="Points; the contributions add up to the lead score.")
    detail: str = strawberry.field(description="The signal in words, e.g. \"last contact 3 days ago\".")


@strawberry.type(description="A person's lead score, why, and what to do next; computed when read.")
class PersonInsights:
    lead_score: int = strawberry.field(description="0–100: the sum of the factors' contributions.")
    factors: list[LeadScoreFactor] = strawberry.field(description="The 8 factors, in a fixed order.")
    next_best_action: str = strawberry.field(description="What to do next with this person, in one sentence.")

    @classmethod
    def of(cls, found: insights.PersonInsight) -> PersonInsights:
        factors = [
            LeadScoreFactor(name=factor.name, contribution=factor.contribution, detail=factor.detail)
            for factor in found.score.factors
        ]
        return cls(lead_score=found.score.score, factors=factors, next_best_action=found.score.next_best_action)


@strawberry.type(description="An open deal with no activity (deal change, message, task) for a while.")
class StaleDeal:
    deal: Deal = strawberry.field(description="The open deal that has gone quiet.")
    last_activity_at: datetime = strawberry.field(description="Its latest activity.")
    days_inactive: int = strawberry.field(description="Whole days since then.")


@strawberry.type(description="Open deals expected to close in one month.")
class ForecastMonth:
    month: date = strawberry.field(description="The month's first day.")
    deals: int = strawberry.field(description="How many open deals are expected to close in it.")
    amount: Decimal = strawberry.field(description="Their total amount, in dollars.")
    weighted_amount: Decimal = strawberry.field(description="Each amount × its probability, summed, in dollars.")


@strawberry.type(description="The organization's insights: hot leads, stale deals, forecast.")
class Insights:
    @strawberry.field(
        description="The people with the highest lead scores (past clients aside); limit 1–50, default 10."
    )
    async def hot_leads(
        self,
        info: Info,
        limit: Annotated[int | None, strawberry.argument(description="How many people, 1–50.")] = (
            insights.DEFAULT_HOT_LEADS
        ),
    ) -> list[Person]:
        return [from_row(Person, found.person) for found in await insights.hot_leads(info.context, limit)]

    @strawberry.field(
        description="Open deals with no activity for `days` days (1–365, default 14), the longest quiet first; "
        "limit 1–100, default 20."
    )
    async def stale_deals(
        self,
        info: Info,
        days: Annotated[int | None, strawberry.argument(description="Days without activity, 1–365.")] = (
            insights.DEFAULT_STALE_DAYS
        ),
        limit: Annotated[int | None, strawberry.argument(description="How many deals, 1–100.")] = (
            insights.DEFAULT_STALE_DEALS
        ),
    ) -> list[StaleDeal]:
        found = await insights.stale_deals(info.context, days, limit)
        return [
            StaleDeal(deal=from_row(Deal, s.deal), last_activity_at=s.last_activity_at, days_inactive=s.days_inactive)
            for s in found
        ]

    @strawberry.field(description="This month and the next five: open deals by expected close month.")
    async def forecast(self, info: Info) -> list[ForecastMonth]:
        return [
            ForecastMonth(month=m.month, deals=m.deals, amount=m.amount, weighted_amount=m.weighted_amount)
            for m in await insights.forecast(info.context)
        ]
