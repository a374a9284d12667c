"""Live updates: the events a subscriber may see, the audit log, and who is online.

Each subscription stream checks the subscriber's permission when it starts, filters the organization's
events (`subscriptions.stream`), and loads what an event shows once per process for all its subscribers
(`Hub.shared`): the sockets of one organization share one statement per event.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field
from sqlalchemy import select

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import EventType
from winnerr.db.models import Communication, Deal, Event, Membership, Person, User
from winnerr.db.scope import TenantScope
from winnerr.resolvers import records
from winnerr.resolvers.validation import Rules, parse_id, validate
from winnerr.subscriptions.broadcast import SlowConsumer
from winnerr.subscriptions.events import Notice
from winnerr.subscriptions.presence import online_members_query
from winnerr.subscriptions.stream import organization_events, retrying

Row = TypeVar("Row")

DEAL_EVENTS = frozenset({EventType.DEAL_CREATED, EventType.DEAL_UPDATED, EventType.DEAL_MOVED, EventType.DEAL_DELETED})
COMMUNICATION_EVENTS = frozenset({EventType.COMMUNICATION_CREATED})
PRESENCE_EVENTS = frozenset({EventType.MEMBER_ONLINE, EventType.MEMBER_OFFLINE})
MAX_AUDIT_EVENTS = 200
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
    async with ctx.operation():
        row = await records.fetch(ctx, model, parse_id(row_id, entity), entity)
        key: uuid.UUID = row.id
        return key


async def _events(
    ctx: Context, after: int | None, types: frozenset[EventType], model: type[Row]
) -> AsyncIterator[LiveEvent[Row]]:
    """The organization's events of `types`, each resolved in a unit of work of its own."""
    organization_id = ctx.principal.organization_id
    try:
        async for notice in organization_events(ctx.hub, ctx.database, organization_id, after):
            if notice.type not in types:
                continue
            load = _loader(ctx, organization_id, model, notice.entity_id)
            row = await retrying(ctx.hub.shared.get, (organization_id, notice.sequence), load)
            async with ctx.operation():
                yield LiveEvent(notice, row)
    except SlowConsumer:
        await ctx.disconnect(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON)


def _loader(ctx: Context, organization_id: uuid.UUID, model: type[Any], row_id: uuid.UUID) -> Callable[[], Any]:
    async def load() -> Any:
        async with ctx.database.sessions() as session:
            scope = TenantScope(session, organization_id)
            if model is User:
                member = select(User).join(Membership, Membership.user_id == User.id)
                return await scope.first(member.where(scope.where(Membership), User.id == row_id))
            return await scope.find(model, row_id)

    return load


class AuditQueryRules(Rules):
    entity_id: uuid.UUID | None = None
    type: EventType | None = None
    after: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_AUDIT_EVENTS)] = 50


async def audit_events(ctx: Context, arguments: dict[str, Any]) -> list[Event]:
    """The audit log: the organization's events after a sequence, oldest first. Without a `type`, the
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
    return await ctx.scope.rows(query.order_by(Event.sequence).limit(rules.limit))


async def online_members(ctx: Context) -> list[User]:
    ctx.principal.require(Permission.READ)
    return await ctx.scope.rows(online_members_query(ctx.principal.organization_id))
