"""Events: every change clients may see, numbered per organization; also the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, func, text
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base
from winnerr.db.enums import EventType
from winnerr.db.models._columns import pg_enum


class Event(Base):
    """One change. `sequence` increases per organization in commit order: it is drawn from
    `organizations.event_sequence` under that row's lock, held until the change commits."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_organization_id_entity_id", "organization_id", "entity_id", "sequence"),
        Index(
            "ix_events_member_changes",
            "organization_id",
            "sequence",
            postgresql_where=text("type IN ('MEMBER_REMOVED', 'MEMBER_ROLE_CHANGED')"),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[EventType] = mapped_column(pg_enum(EventType, "event_type"))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PresenceEntry(Base):
    """One open websocket of a member, kept alive by its instance's heartbeat; stale entries expire. A closed
    socket's entry lingers (`left_at`) for the presence grace period, so a quick reconnect is not news."""

    __tablename__ = "presence"
    __table_args__ = (Index("ix_presence_organization_id_user_id", "organization_id", "user_id"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instance_id: Mapped[uuid.UUID] = mapped_column()
    connected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
