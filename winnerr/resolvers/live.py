"""Live updates: the events a subscriber may see, the audit log, and who is online.

Each subscription stream checks the subscriber's permission when it starts, filters the organization's
events (`subscriptions.stream`), and loads what an event shows once per process for all its subscribers
(`Hub.shared`): the sockets of one organization share one statement per event. Each delivery waits for the
subscriber's membership to be current (`CurrentMembership`): a removed member hears nothing more. A database
that fails for a moment delays deliveries; it does not end the subscription.

The audit log (`events`) lists changes to records and members; presence only when asked for by its type.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field
from sqlalchemy import Select, and_, func, select

from winnerr.auth.permissions import Permission
from winnerr.auth.principals import MEMBER_CHANGES
from winnerr.context import Context
from winnerr.db.enums import EventType
from winnerr.db.models import Communication, Deal, Event, Membership, Organization, Person, User
from winnerr.db.scope import tenant_filter
from winnerr.observability.metrics import SUBSCRIPTION_DELIVERIES, SUBSCRIPTION_DROPS, SUBSCRIPTIONS_OPEN
from winnerr.resolvers import records
from winnerr.resolvers.pagination import Page, PageRequest, paginate
from winnerr.resolvers.validation import parse_id, validate
from winnerr.state import app_state
from winnerr.subscriptions.broadcast import SlowConsumer
from winnerr.subscriptions.events import Notice
from winnerr.subscriptions.presence import online_members_query
from winnerr.subscriptions.stream import database_unavailable, organization_events, retrying

logger = logging.getLogger("winnerr.broadcast")

Row = TypeVar("Row")

DEAL_EVENTS = frozenset({EventType.DEAL_CREATED, EventType.DEAL_UPDATED, EventType.DEAL_MOVED, EventType.DEAL_DELETED})
COMMUNICATION_EVENTS = frozenset({EventType.COMMUNICATION_CREATED})
PRESENCE_EVENTS = frozenset({EventType.MEMBER_ONLINE, EventType.MEMBER_OFFLINE})
MAX_ONLINE_MEMBERS = 100
MEMBER_EVENTS = MEMBER_CHANGES
SLOW_CONSUMER_CLOSE_CODE = 1013  # "try again later"
SLOW_CONSUMER_REASON = "Slow consumer: events arrived faster than this socket read them"


@dataclass(frozen=True, slots=True)
class LiveEvent(Generic[Row]):
    """An event and what it is about, as it is now (None once deleted)."""

    notice: Notice
    row: Row | None


async def deal_events(ctx: Context, deal_id: str | None, after: int | None) -> AsyncIterator[LiveEvent[Deal]]:
    """Deals created, updated, moved or deleted; with `deal_id`, that deal's only."""
    target = await _existing(ctx, Deal, deal_id, "Deal")
    async for event in _events(ctx, after, DEAL_EVENTS, Deal):
        if target is None or event.notice.entity_id == target:
            yield event


async def communication_events(
    ctx: Context, person_id: str | None, after: int | None
) -> AsyncIterator[LiveEvent[Communication]]:
    """Communications logged; with `person_id`, that person's only."""
    target = await _existing(ctx, Person, person_id, "Person")
    async for event in _events(ctx, after, COMMUNICATION_EVENTS, Communication):
        if target is None or (event.row is not None and event.row.person_id == target):
            yield event


async def presence_events(ctx: Context, after: int | None) -> AsyncIterator[LiveEvent[User]]:
    """Members coming online (first socket) and going offline (last socket closed, or expired)."""
    ctx.principal.require(Permission.READ)
    async for event in _events(ctx, after, PRESENCE_EVENTS, User):
        yield event


async def _existing(ctx: Context, model: type[Any], row_id: str | None, entity: str) -> uuid.UUID | None:
    ctx.principal.require(Permission.READ)
    if row_id is None:
        return None
    return await retrying(_fetch_id, ctx, model, parse_id(row_id, entity), entity)


async def _fetch_id(ctx: Context, model: type[Any], row_id: uuid.UUID, entity: str) -> uuid.UUID:
    async with ctx.operation():
        row = await records.fetch(ctx, model, row_id, entity)
        key: uuid.UUID = row.id
        return key


async def _events(
    ctx: Context, after: int | None, types: frozenset[EventType], model: type[Row]
) -> AsyncIterator[LiveEvent[Row]]:
    """The organization's events of `types`, each resolved in a unit of work of its own, while the
    subscriber is still a member (`CurrentMembership`)."""
    organization_id = ctx.principal.organization_id
    membership = CurrentMembership(ctx)
    SUBSCRIPTIONS_OPEN.inc()
    try:
        async for notice in organization_events(ctx.hub, ctx.database, organization_id, after):
            if notice.type in MEMBER_EVENTS and not await membership.changed(notice):
                return
            if notice.type not in types:
                continue
            load = _loader(ctx, organization_id, model, notice.entity_id)
            loaded: Loaded = await retrying(ctx.hub.shared.get, (organization_id, notice.sequence), load)
            if not await membership.reflects(loaded.member_change):
                return
            with _kept_if_database_unavailable():
                async with ctx.operation():
                    SUBSCRIPTION_DELIVERIES.inc()
                    yield LiveEvent(notice, loaded.row)
    except SlowConsumer:
        SUBSCRIPTION_DROPS.labels(reason="slow_consumer").inc()
        await ctx.disconnect(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON)
    finally:
        SUBSCRIPTIONS_OPEN.dec()


@contextmanager
def _kept_if_database_unavailable() -> Iterator[None]:
    """An event's unit of work that cannot finish because the database went away (its fields have been
    resolved, with errors of their own) does not end the subscription."""
    try:
        yield
    except Exception as error:
        if not database_unavailable(error):
            raise
        logger.warning("A subscription event's unit of work could not finish: %s", error)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What an event shows, and the organization's latest member change when it was read."""

    row: Any
    member_change: int


class CurrentMembership:
    """Keeps a subscriber's membership current for each delivery, cheaply.

    A member event (MEMBER_REMOVED, MEMBER_ROLE_CHANGED) about the subscriber re-checks at once every socket
    of that member in this process (`OpenSockets.recheck`, once per event for all of them): a removed member's
    sockets close (4403), a new role applies to the next delivery. Events arrive in commit order, so nothing
    committed after a removal reaches the removed member; and since each event's shared load also reads the
    organization's latest member change, an earlier event that is resolved after a removal committed is
    held back until the membership has been re-checked too.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.applied = 0  # the latest member change this socket's membership is known to reflect

    async def changed(self, notice: Notice) -> bool:
        """Apply a member event; whether the subscriber is still a member."""
        if notice.entity_id != self.ctx.principal.user_id:
            return True
        return await self._recheck(notice.sequence)

    async def reflects(self, member_change: int) -> bool:
        """Whether the subscriber is a member as of `member_change`, re-checking if it is newer."""
        return member_change <= self.applied or await self._recheck(member_change)

    async def _recheck(self, through: int) -> bool:
        connection = self.ctx.connection or self.ctx.request
        if connection is None:
            return True
        principal = self.ctx.principal
        sockets = app_state(connection).sockets
        key = ("membership", principal.organization_id, principal.user_id, through)
        role = await retrying(
            self.ctx.hub.shared.get, key, lambda: sockets.recheck(principal.organization_id, principal.user_id)
        )
        self.applied = max(self.applied, through)
        return role is not None


def _loader(ctx: Context, organization_id: uuid.UUID, model: type[Any], row_id: uuid.UUID) -> Callable[[], Any]:
    async def load() -> Loaded:
        async with ctx.database.session_for(organization_id) as session:
            row, member_change = (await session.execute(_load_query(organization_id, model, row_id))).one()
        return Loaded(row, member_change or 0)

    return load


def _load_query(organization_id: uuid.UUID, model: type[Any], row_id: uuid.UUID) -> Select[Any]:
    """One statement: the row (None once deleted, or for a user no longer a member) and the organization's
    latest member change."""
    last_member_change = (
        select(func.max(Event.sequence))
        .where(Event.organization_id == organization_id, Event.type.in_(MEMBER_EVENTS))
        .scalar_subquery()
    )
    query = select(model, last_member_change).select_from(Organization)
    if model is User:
        member = and_(Membership.organization_id == Organization.id, Membership.user_id == row_id)
        query = query.outerjoin(Membership, member).outerjoin(User, User.id == Membership.user_id)
    else:
        query = query.outerjoin(model, and_(tenant_filter(model, organization_id), model.id == row_id))
    return query.where(Organization.id == organization_id)


class AuditQueryRules(PageRequest):
    entity_id: uuid.UUID | None = None
    type: EventType | None = None
    after: Annotated[int, Field(ge=0)] = 0


async def audit_events(ctx: Context, arguments: dict[str, Any]) -> Page[Event]:
    """The audit log: the organization's events after a sequence, oldest first, paged. Without a `type`, the
    changes to records and members; presence (who opened a socket) only when asked for by its type."""
    ctx.principal.require(Permission.READ)
    rules = validate(AuditQueryRules, arguments, at=None)
    query = select(Event).where(ctx.scope.where(Event), Event.sequence > rules.after)
    if rules.entity_id is not None:
        query = query.where(Event.entity_id == rules.entity_id)
    if rules.type is not None:
        query = query.where(Event.type == rules.type)
    else:
        query = query.where(Event.type.not_in(PRESENCE_EVENTS))
    return await paginate(ctx.scope, query.order_by(Event.sequence), rules)


async def online_members(ctx: Context) -> list[User]:
    """At most `MAX_ONLINE_MEMBERS` of them."""
    ctx.principal.require(Permission.READ)
    return await ctx.scope.rows(online_members_query(ctx.principal.organization_id).limit(MAX_ONLINE_MEMBERS))
