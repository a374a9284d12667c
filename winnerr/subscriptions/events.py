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

from sqlalchemy import select, text
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


NUMBERED_INSERT = text(
    "WITH bump AS ("
    " UPDATE organizations SET event_sequence = event_sequence + cardinality(CAST(:types AS text[]))"
    " WHERE id = :organization_id"
    " RETURNING event_sequence)"
    " INSERT INTO events (organization_id, sequence, type, entity_id, actor_id)"
    " SELECT :organization_id, bump.event_sequence - cardinality(CAST(:types AS text[])) + change.n,"
    " CAST(change.type AS event_type), change.entity_id, :actor_id"
    " FROM bump, unnest(CAST(:types AS text[]), CAST(:entity_ids AS uuid[]))"
    " WITH ORDINALITY AS change(type, entity_id, n)"
    " RETURNING sequence, type, entity_id, occurred_at"
)
"""Draws the organization's next sequence numbers (locking its row until the transaction ends) and inserts
the events with them, in one statement."""


async def write_events(
    session: AsyncSession, organization_id: uuid.UUID, actor_id: uuid.UUID | None, changes: Sequence[Change]
) -> list[Notice]:
    """Insert one event per change with the organization's next sequence numbers.

    The sequence comes from `organizations.event_sequence`, whose row stays locked until the transaction
    ends: sequences are given in commit order, so a subscriber that has seen N has seen everything below N.
    Drawing the numbers and inserting the events is one statement, and callers run it last, just before
    COMMIT, so the lock (which serialises an organization's writers) is held for as short a time as can be.
    """
    parameters = {
        "organization_id": organization_id,
        "actor_id": actor_id,
        "types": [change.type.value for change in changes],
        "entity_ids": [change.entity_id for change in changes],
    }
    rows = (await session.execute(NUMBERED_INSERT, parameters)).all()
    notices = [
        Notice(organization_id, row.sequence, EventType(row.type), row.entity_id, actor_id, row.occurred_at)
        for row in rows
    ]
    return sorted(notices, key=lambda notice: notice.sequence)


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
