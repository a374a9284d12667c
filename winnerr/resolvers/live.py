"""Live updates: the events a subscriber may see, the audit log, and who is online.

Each subscription stream checks the subscriber's permission when it starts, filters the organization's
events (`subscriptions.stream`), and loads what an event shows once per process for all its subscribers
(`Hub.shared`): the sockets of one organization share one statement per event. Each delivery waits for the
subscriber's membership to be current (`CurrentMembership`): a removed member hears nothing more. A database
that fails for a moment delays deliveries; it does not end the subscription. Over a websocket the server lets us
write to directly, a subscription only replays here: then its organization's feed delivers it with its audience
(`subscriptions.fanout`, `FeedRules`), with the same loads and membership checks once per event for all.

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
from winnerr.db.database import Database
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
from winnerr.subscriptions.fanout import (
    DELIVERY,
    SLOW_CONSUMER_CLOSE_CODE,
    SLOW_CONSUMER_REASON,
    Feed,
    FeedUnavailable,
)
from winnerr.subscriptions.hub import Hub
from winnerr.subscriptions.presence import online_members_query
from winnerr.subscriptions.sockets import OpenSockets
from winnerr.subscriptions.stream import database_unavailable, organization_events, retrying, stored_after

logger = logging.getLogger("winnerr.broadcast")

Row = TypeVar("Row")

DEAL_EVENTS = frozenset({EventType.DEAL_CREATED, EventType.DEAL_UPDATED, EventType.DEAL_MOVED, EventType.DEAL_DELETED})
COMMUNICATION_EVENTS = frozenset({EventType.COMMUNICATION_CREATED})
PRESENCE_EVENTS = frozenset({EventType.MEMBER_ONLINE, EventType.MEMBER_OFFLINE})
MAX_ONLINE_MEMBERS = 100
MEMBER_EVENTS = MEMBER_CHANGES
MODELS: dict[EventType, type[Any]] = {
    **dict.fromkeys(DEAL_EVENTS, Deal),
    **dict.fromkeys(COMMUNICATION_EVENTS, Communication),
    **dict.fromkeys(PRESENCE_EVENTS, User),
}
"""The model of the row each subscribed event type is about."""


@dataclass(frozen=True, slots=True)
class LiveEvent(Generic[Row]):
    """An event and what it is about, as it is now (None once deleted)."""

    notice: Notice
    row: Row | None


@dataclass(frozen=True, slots=True)
class Stream:
    """What one subscription delivers: its event types, the model of their rows, which of the organization's
    events it accepts, and how it presents one (the schema's event type)."""

    types: frozenset[EventType]
    accepts: Callable[[LiveEvent[Any]], bool]
    present: Callable[[LiveEvent[Any]], Any]


def _every(event: LiveEvent[Any]) -> bool:
    return True


async def deal_events(
    ctx: Context, deal_id: str | None, after: int | None, present: Callable[[LiveEvent[Any]], Any]
) -> AsyncIterator[Any]:
    """Deals created, updated, moved or deleted; with `deal_id`, that deal's only; each as `present`s it."""
    target = await _existing(ctx, Deal, deal_id, "Deal")

    def accepts(event: LiveEvent[Any]) -> bool:
        return target is None or event.notice.entity_id == target

    async for event in _events(ctx, after, Stream(DEAL_EVENTS, accepts, present)):
        yield event


async def communication_events(
    ctx: Context, person_id: str | None, after: int | None, present: Callable[[LiveEvent[Any]], Any]
) -> AsyncIterator[Any]:
    """Communications logged; with `person_id`, that person's only; each as `present`s it."""
    target = await _existing(ctx, Person, person_id, "Person")

    def accepts(event: LiveEvent[Any]) -> bool:
        return target is None or (event.row is not None and event.row.person_id == target)

    async for event in _events(ctx, after, Stream(COMMUNICATION_EVENTS, accepts, present)):
        yield event


async def presence_events(
    ctx: Context, after: int | None, present: Callable[[LiveEvent[Any]], Any]
) -> AsyncIterator[Any]:
    """Members coming online (first socket) and going offline (last socket closed, or expired)."""
    ctx.principal.require(Permission.READ)
    async for event in _events(ctx, after, Stream(PRESENCE_EVENTS, _every, present)):
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


async def _events(ctx: Context, after: int | None, stream: Stream) -> AsyncIterator[Any]:
    """The organization's events `stream` accepts, presented, each resolved in a unit of work of its own, while
    the subscriber is still a member (`CurrentMembership`). Over a websocket that can be written to directly
    (`DELIVERY`), only the replay is delivered here: then the organization's feed delivers the rest
    (`winnerr.subscriptions.fanout`), and this stream ends without `complete`."""
    SUBSCRIPTIONS_OPEN.inc()
    delivery = DELIVERY.get()
    membership = CurrentMembership(ctx)
    feed: Feed | None = None
    joined = False
    try:
        feed = await _feed(ctx) if delivery is not None else None
        if delivery is not None and feed is not None:
            replay = _Replay(feed.position if after is None else after)
            async for event in _replayed(ctx, stream, feed, replay, membership):
                yield event
            if replay.ended:
                return
            joined = delivery.executor is not None and feed.join(delivery, replay.last, delivery.executor, stream)
            if joined:
                delivery.on_leave(SUBSCRIPTIONS_OPEN.dec)
                return
            if feed.overflowed:
                raise SlowConsumer()
            after = replay.last
        source = organization_events(ctx.hub, ctx.database, ctx.principal.organization_id, after)
        async for event in _delivered(ctx, stream, source, membership):
            yield event
    except SlowConsumer:
        SUBSCRIPTION_DROPS.labels(reason="slow_consumer").inc()
        await ctx.disconnect(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON)
    finally:
        if feed is not None:
            feed.release()
        if not joined:
            SUBSCRIPTIONS_OPEN.dec()


async def _feed(ctx: Context) -> Feed | None:
    """The organization's feed, held, if it could start (else the subscription delivers on its own)."""
    connection = ctx.connection
    assert connection is not None
    rules = FeedRules(ctx.hub, ctx.database, app_state(connection).sockets)
    try:
        return await ctx.hub.feeds.held(ctx.principal.organization_id, rules)
    except FeedUnavailable:
        return None


class _Replay:
    """How far a replay got; `ended` once the subscriber's membership ended on the way."""

    def __init__(self, last: int) -> None:
        self.last = last
        self.read = 0
        self.ended = False

    async def tracked(self, notices: AsyncIterator[Notice]) -> AsyncIterator[Notice]:
        self.read = 0
        async for notice in notices:
            self.last = notice.sequence
            self.read += 1
            yield notice


async def _replayed(
    ctx: Context, stream: Stream, feed: Feed, replay: _Replay, membership: CurrentMembership
) -> AsyncIterator[Any]:
    """The stored events after `replay.last`, read again until the feed's position (the feed delivers the later
    ones); it checks the position last, with nothing awaited before the caller joins the feed."""
    while replay.last < feed.position:
        stored = stored_after(ctx.database, ctx.principal.organization_id, replay.last)
        async for event in _delivered(ctx, stream, replay.tracked(stored), membership):
            yield event
        if membership.ended:
            replay.ended = True
            return
        if not replay.read:  # nothing stored up to the feed's position, so nothing to miss
            replay.last = max(replay.last, feed.position)


async def _delivered(
    ctx: Context, stream: Stream, notices: AsyncIterator[Notice], membership: CurrentMembership
) -> AsyncIterator[Any]:
    """The notices `stream` accepts, loaded and presented, while the subscriber is a member."""
    organization_id = ctx.principal.organization_id
    async for notice in notices:
        if notice.type in MEMBER_EVENTS and not await membership.changed(notice):
            membership.ended = True
            return
        if notice.type not in stream.types:
            continue
        load = _loader(ctx.database, organization_id, MODELS[notice.type], notice.entity_id)
        loaded: Loaded = await retrying(ctx.hub.shared.get, (organization_id, notice.sequence), load)
        if not await membership.reflects(loaded.member_change):
            membership.ended = True
            return
        event = LiveEvent(notice, loaded.row)
        if not stream.accepts(event):
            continue
        with _kept_if_database_unavailable():
            async with ctx.operation():
                SUBSCRIPTION_DELIVERIES.inc()
                yield stream.present(event)


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
        self.ended = False

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


def _loader(
    database: Database, organization_id: uuid.UUID, model: type[Any], row_id: uuid.UUID
) -> Callable[[], Any]:
    async def load() -> Loaded:
        async with database.session_for(organization_id) as session:
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


class FeedRules:
    """How an organization's feed (`winnerr.subscriptions.fanout`) loads events and keeps its members' roles
    current: as each subscription's own stream does, once per event for all of them."""

    member_events = MEMBER_EVENTS

    def __init__(self, hub: Hub, database: Database, sockets: OpenSockets) -> None:
        self._hub = hub
        self._database = database
        self._sockets = sockets

    def events(self, organization_id: uuid.UUID, ready: Callable[[int], None]) -> AsyncIterator[Notice]:
        return organization_events(self._hub, self._database, organization_id, None, ready)

    def event(self, notice: Notice, row: Any) -> LiveEvent[Any]:
        return LiveEvent(notice, row)

    async def load(self, notice: Notice) -> tuple[Any, int]:
        organization_id = notice.organization_id
        load = _loader(self._database, organization_id, MODELS[notice.type], notice.entity_id)
        loaded: Loaded = await retrying(self._hub.shared.get, (organization_id, notice.sequence), load)
        return loaded.row, loaded.member_change

    async def member_changed(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await retrying(self._sockets.recheck, organization_id, user_id)

    async def members_changed(self, organization_id: uuid.UUID) -> None:
        await retrying(self._sockets.check, organization_id)


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
