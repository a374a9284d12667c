"""Calendar events (showings, meetings) as a connected calendar (Nylas) tells them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import CalendarEventStatus
from winnerr.db.models._columns import pg_enum, tenant_key, tenant_reference


class CalendarEvent(TenantOwned, Timestamped, Base):
    __tablename__ = "calendar_events"
    __table_args__ = (
        tenant_key(),
        tenant_reference("person_id", "people", ondelete="SET NULL (person_id)"),
        tenant_reference("property_id", "properties", ondelete="SET NULL (property_id)"),
        Index("uq_calendar_events_organization_id_external_id", "organization_id", "external_id", unique=True),
        Index("ix_calendar_events_organization_id_starts_at", "organization_id", "starts_at"),
    )

    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    location: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[CalendarEventStatus] = mapped_column(pg_enum(CalendarEventStatus, "calendar_event_status"))
    person_id: Mapped[uuid.UUID | None] = mapped_column()
    property_id: Mapped[uuid.UUID | None] = mapped_column()
    external_id: Mapped[str] = mapped_column(String(200))
    grant_id: Mapped[str | None] = mapped_column(String(200))
    """The Nylas grant whose calendar holds the event: updates and cancellations go through it."""
    calendar_id: Mapped[str | None] = mapped_column(String(200))
    """Nylas's id of that calendar."""
