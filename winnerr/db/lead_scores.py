"""The lead score in SQL: each person's signals, aggregated from their communications, deals and tasks in
LATERAL sub-selects, and the points of `winnerr.ai.lead_score` added up over them. `Person.lead_score` is
this score (a deferred column property: read it where it is asked for), so that the people query filters
and sorts by it and hot leads are ranked in the database; the insights read the signals and points beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import FromClause, Integer, Select, and_, case, cast, func, or_, select, true
from sqlalchemy.orm import aliased, column_property
from sqlalchemy.sql.elements import ColumnElement

from winnerr.ai.lead_score import (
    EARLIER_DAYS,
    RECENT_DAYS,
    WEEK_DAYS,
    FactorName,
    SignalColumns,
    contributions,
    score_of,
)
from winnerr.db.enums import DealStatus, Direction
from winnerr.db.models.communications import Communication
from winnerr.db.models.deals import Deal
from winnerr.db.models.people import Person
from winnerr.db.models.tasks import Task, overdue_condition
from winnerr.db.scope import tenant_join

T = TypeVar("T")


def _people_signals() -> tuple[tuple[FromClause, ...], dict[str, ColumnElement[Any]]]:
    """Each person's signals (see `Signals`) as LATERAL sub-selects correlated to `Person`, so that they
    join any query of people; every sub-select reads one person's rows through an index."""
    message, reply = Communication, aliased(Communication)
    now = func.now()
    recent, week, earlier = (now - timedelta(days=days) for days in (RECENT_DAYS, WEEK_DAYS, EARLIER_DAYS))
    inbound = message.direction == Direction.INBOUND
    last_reply = (
        select(func.max(reply.occurred_at))
        .where(_of_person(reply), reply.direction == Direction.OUTBOUND)
        .correlate(Person)
        .scalar_subquery()
    )
    unanswered = and_(inbound, or_(last_reply.is_(None), message.occurred_at > last_reply))
    messages = _lateral(
        "messages",
        select(
            func.max(message.occurred_at).label("last_at"),
            func.count().filter(message.occurred_at >= recent).label("recent"),
            func.count().filter(message.occurred_at >= recent, inbound).label("recent_inbound"),
            func.count().filter(unanswered).label("unanswered"),
            func.count().filter(unanswered, message.occurred_at >= week).label("unanswered_this_week"),
            func.avg(message.sentiment_score).filter(message.occurred_at >= recent).label("recent_sentiment"),
            func.avg(message.sentiment_score)
            .filter(message.occurred_at < recent, message.occurred_at >= earlier)
            .label("earlier_sentiment"),
        ).where(_of_person(message)),
    )
    deals = _lateral(
        "deals",
        select(func.count().label("open"), func.max(Deal.probability).label("best"))
        .where(_of_person(Deal), Deal.status == DealStatus.OPEN),
    )
    tasks = _lateral(
        "tasks", select(func.count().label("overdue")).where(_of_person(Task), overdue_condition(now))
    )
    last_contact = func.greatest(Person.last_contact_at, messages.c.last_at)
    days = cast(func.floor(func.extract("epoch", now - last_contact) / 86400), Integer)
    columns = {
        "days_since_contact": case((last_contact.is_(None), None), else_=func.greatest(0, days)),
        "recent_messages": messages.c.recent,
        "recent_inbound": messages.c.recent_inbound,
        "unanswered": messages.c.unanswered,
        "unanswered_this_week": messages.c.unanswered_this_week,
        "recent_sentiment": messages.c.recent_sentiment,
        "earlier_sentiment": messages.c.earlier_sentiment,
        "open_deals": deals.c.open,
        "best_probability": deals.c.best,
        "overdue_tasks": tasks.c.overdue,
    }
    return (messages, deals, tasks), columns


def _of_person(model: Any) -> ColumnElement[bool]:
    """The rows of `model` about the person of the enclosing query (in the person's organization)."""
    return tenant_join(Person, model, model.person_id)


def _lateral(name: str, query: Select[*tuple[Any, ...]]) -> FromClause:
    return query.correlate(Person).lateral(name)


@dataclass(frozen=True, slots=True)
class ScoredPeople:
    """The lead score of each person of a query, in SQL: `join` adds what it is computed from to a query of
    people, after which `score`, the factors' `points` and the `signals` can be selected, filtered and sorted."""

    froms: tuple[FromClause, ...]
    signals: dict[str, ColumnElement[Any]]
    points: dict[FactorName, ColumnElement[int]]
    score: ColumnElement[int]

    @classmethod
    def build(cls) -> ScoredPeople:
        froms, signals = _people_signals()
        columns = SignalColumns(source=Person.source.expression, **{
            name: signals[name] for name in SignalColumns.__dataclass_fields__ if name != "source"
        })
        points = contributions(columns)
        return cls(froms, signals, points, score_of(points))

    def join(self, query: Select[T]) -> Select[T]:
        """`query` (of people) reading them joined to their signals."""
        people: FromClause = Person.__table__
        for lateral in self.froms:
            people = people.join(lateral, true())
        return query.select_from(people)

    def with_points(self, query: Select[T]) -> Select[Any]:
        """`query` (of people) with each person's signals and points, labelled by their names (points as
        `points_<FACTOR>`)."""
        points = [point.label(f"points_{name.value}") for name, point in self.points.items()]
        signals = [column.label(name) for name, column in self.signals.items()]
        return self.join(query).add_columns(*signals, *points)

    def scalar(self) -> ColumnElement[int]:
        """The score of the enclosing query's person, as one correlated sub-select."""
        score = select(self.score).select_from(self.froms[0])
        for lateral in self.froms[1:]:
            score = score.join(lateral, true())
        return score.correlate(Person).scalar_subquery()




SCORED = ScoredPeople.build()
"""Built once: the statement's shape is the same for every request."""

Person.__mapper__.add_property("lead_score", column_property(SCORED.scalar(), deferred=True, raiseload=True))
