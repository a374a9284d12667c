"""Events: recorded in the same transaction as the change, numbered per organization, told after commit.

A broadcast message (`Notice`) carries the event's type, ids and sequence, never a record: pg_notify caps
payloads at 8000 bytes, and each subscriber loads what it shows through its own permissions.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db.enums import EventType
from winnerr.db.models import Event, Organization


@dataclass(frozen=True, slots=True)
class Change:
    """A change recorded during a transaction, written as an event when it commits."""

    type: EventType
    entity_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Notice:
    organization_id: uuid.UUID
    sequence: int
    type: EventType
    entity_id: uuid.UUID
    actor_id: uuid.UUID | None
    occurred_at: datetime

    def encode(self) -> str:
        return json.dumps(
            {
                "org": str(self.organization_id),
                "seq": self.sequence,
                "type": self.type.value,
                "entity": str(self.entity_id),
                "actor": str(self.actor_id) if self.actor_id else None,
                "at": self.occurred_at.isoformat(),
            }
        )

    @classmethod
    def decode(cls, message: str) -> Notice:
        data = json.loads(message)
        return cls(
            organization_id=uuid.UUID(data["org"]),
            sequence=int(data["seq"]),
            type=EventType(data["type"]),
            entity_id=uuid.UUID(data["entity"]),
            actor_id=uuid.UUID(data["actor"]) if data["actor"] else None,
            occurred_at=datetime.fromisoformat(data["at"]),
        )

    @classmethod
    def of(cls, event: Event) -> Notice:
        return cls(
            event.organization_id, event.sequence, event.type, event.entity_id, event.actor_id, event.occurred_at
        )


def channel_of(organization_id: uuid.UUID) -> str:
    return f"org:{organization_id}"


async def write_events(
    session: AsyncSession, organization_id: uuid.UUID, actor_id: uuid.UUID | None, changes: Sequence[Change]
) -> list[Notice]:
    """Insert one event per change with the organization's next sequence numbers.

    The sequence comes from `organizations.event_sequence`, whose row stays locked until the transaction
    ends: sequences are given in commit order, so a subscriber that has seen N has seen everything below N.
    """
    bump = (
        update(Organization)
        .where(Organization.id == organization_id)
        .values(event_sequence=Organization.event_sequence + len(changes))
        .returning(Organization.event_sequence)
    )
    last = int((await session.execute(bump)).scalar_one())
    rows = [
        {
            "organization_id": organization_id,
            "sequence": last - len(changes) + 1 + n,
            "type": change.type,
            "entity_id": change.entity_id,
            "actor_id": actor_id,
        }
        for n, change in enumerate(changes)
    ]
    events = await session.scalars(insert(Event).returning(Event, sort_by_parameter_order=True), rows)
    return [Notice.of(event) for event in events]


async def events_after(
    session: AsyncSession, organization_id: uuid.UUID, after: int, limit: int | None = None
) -> list[Notice]:
    """The organization's events with a sequence above `after`, in order."""
    query = (
        select(Event)
        .where(Event.organization_id == organization_id, Event.sequence > after)
        .order_by(Event.sequence)
        .limit(limit)
    )
    return [Notice.of(event) for event in await session.scalars(query)]


async def last_sequence(session: AsyncSession, organization_id: uuid.UUID) -> int:
    value = await session.scalar(select(Organization.event_sequence).where(Organization.id == organization_id))
    return int(value or 0)
