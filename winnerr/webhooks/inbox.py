"""The inbox: record a verified delivery once, apply it in the same transaction, publish after commit; and
replay the deliveries that are not applied yet (failed, or unmatched when they arrived)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db.database import Database
from winnerr.db.engine import set_organization
from winnerr.db.enums import EventType, IntegrationProvider
from winnerr.db.models import WebhookDelivery
from winnerr.db.scope import TenantScope
from winnerr.resolvers.webhooks import status_of
from winnerr.subscriptions.events import Change, Notice, write_events
from winnerr.subscriptions.hub import Hub

logger = logging.getLogger("winnerr.webhooks")

MAX_ERROR_LENGTH = 2000


class Rejected(Exception):
    """A delivery refused before anything is stored: `status` is 401 (signature), 400 (body) or 503."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verified delivery: which provider, its unique id there, what kind of notification, its payload."""

    provider: IntegrationProvider
    external_id: str
    kind: str
    payload: dict[str, Any]
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class DeliveryWork:
    """What applying a delivery writes through: the organization's scope and the changes it made (a
    `Workspace`, as a member's operation is, with no member behind it)."""

    def __init__(self, session: AsyncSession, organization_id: uuid.UUID) -> None:
        self.session = session
        self.scope = TenantScope(session, organization_id)
        self.changes: list[Change] = []

    def record(self, type: EventType, entity_id: uuid.UUID) -> None:
        self.changes.append(Change(type, entity_id))


class Handler(Protocol):
    """One provider's part: which organization a delivery belongs to, and what applying it does."""

    async def organization(self, session: AsyncSession, delivery: Delivery) -> uuid.UUID | None: ...

    async def apply(self, work: DeliveryWork, delivery: Delivery) -> None: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    recorded: bool
    """False for a redelivery, which changed nothing."""
    status: str
    """APPLIED, FAILED or UNMATCHED (for a redelivery: what the first delivery's row says)."""
    kind: str


async def receive(database: Database, hub: Hub, handler: Handler, delivery: Delivery) -> Outcome:
    """Record the delivery once and apply it, in one transaction; publish its events after the commit."""
    async with database.sessions() as session:
        statement = (
            insert(WebhookDelivery)
            .values(
                provider=delivery.provider,
                external_id=delivery.external_id,
                kind=delivery.kind,
                payload=delivery.payload,
                received_at=delivery.received_at,
            )
            .on_conflict_do_nothing(index_elements=["provider", "external_id"])
            .returning(WebhookDelivery.id)
        )
        delivery_id = await session.scalar(statement)
        if delivery_id is None:
            await session.rollback()
            return Outcome(recorded=False, status=await _status_of(database, delivery), kind=delivery.kind)
        status, notices = await _apply(session, handler, delivery_id, delivery, None)
    await hub.publish(notices)
    return Outcome(recorded=True, status=status, kind=delivery.kind)


async def replay(
    database: Database,
    hub: Hub,
    handlers: Mapping[IntegrationProvider, Handler],
    provider: IntegrationProvider | None = None,
    delivery_id: uuid.UUID | None = None,
) -> dict[str, int]:
    """Apply again every recorded delivery not applied yet (of one provider, or the one with this id),
    oldest first, each in its own transaction; one that another replay holds is left to it. Answers how
    many ended APPLIED, FAILED and UNMATCHED."""
    pending = select(WebhookDelivery.id).where(WebhookDelivery.applied_at.is_(None))
    if provider is not None:
        pending = pending.where(WebhookDelivery.provider == provider)
    if delivery_id is not None:
        pending = pending.where(WebhookDelivery.id == delivery_id)
    async with database.sessions() as session:
        ids = list(await session.scalars(pending.order_by(WebhookDelivery.received_at, WebhookDelivery.id)))
    counts = {"APPLIED": 0, "FAILED": 0, "UNMATCHED": 0}
    for pending_id in ids:
        async with database.sessions() as session:
            row = await session.scalar(
                select(WebhookDelivery)
                .where(WebhookDelivery.id == pending_id, WebhookDelivery.applied_at.is_(None))
                .with_for_update(skip_locked=True)
            )
            if row is None:
                continue
            delivery = Delivery(row.provider, row.external_id, row.kind, row.payload, row.received_at)
            status, notices = await _apply(session, handlers[row.provider], row.id, delivery, row.organization_id)
        await hub.publish(notices)
        counts[status] += 1
    return counts


async def _apply(
    session: AsyncSession,
    handler: Handler,
    delivery_id: uuid.UUID,
    delivery: Delivery,
    organization_id: uuid.UUID | None,
) -> tuple[str, list[Notice]]:
    """Map and apply one recorded delivery, then commit; its row says how it went. A failure is kept on the
    row (the savepoint undoes what it wrote) and never escapes: the provider is answered 2xx all the same.
    The events it made are written last, just before COMMIT: that statement takes the organization's
    event-sequence lock, which every writer of the organization waits for (`write_events`)."""
    organization_id = organization_id or await handler.organization(session, delivery)
    values: dict[str, Any] = {"attempts": WebhookDelivery.attempts + 1, "organization_id": organization_id}
    changes: list[Change] = []
    if organization_id is None:
        status = "UNMATCHED"
    else:
        await set_organization(session, organization_id)
        work = DeliveryWork(session, organization_id)
        try:
            async with work.scope.savepoint():
                await handler.apply(work, delivery)
            changes = work.changes
        except Exception as exc:
            logger.warning("webhook delivery %s failed to apply", delivery_id, exc_info=True)
            values["last_error"] = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
            status = "FAILED"
        else:
            values |= {"applied_at": datetime.now(UTC), "last_error": None}
            status = "APPLIED"
    await session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(values))
    notices = await write_events(session, organization_id, None, changes) if organization_id and changes else []
    await session.commit()
    return status, notices


async def _status_of(database: Database, delivery: Delivery) -> str:
    async with database.sessions() as session:
        row = await session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.provider == delivery.provider, WebhookDelivery.external_id == delivery.external_id
            )
        )
    return "UNMATCHED" if row is None else delivery_status(row)


def delivery_status(row: WebhookDelivery) -> str:
    return status_of(row.applied_at, row.organization_id).value
