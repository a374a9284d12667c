"""Communications: every call, text, e-mail, note and meeting with a person."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Float, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.ai.sentiment import SentimentLabel
from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import CommunicationChannel, Direction
from winnerr.db.models._columns import pg_enum, tenant_key, tenant_reference


class Communication(TenantOwned, Timestamped, Base):
    __tablename__ = "communications"
    __table_args__ = (
        tenant_key(),
        tenant_reference("person_id", "people", ondelete="CASCADE"),
        Index("ix_communications_person_timeline", "organization_id", "person_id", text("occurred_at DESC")),
        Index(
            "uq_communications_external_id",
            "organization_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column()
    channel: Mapped[CommunicationChannel] = mapped_column(pg_enum(CommunicationChannel, "communication_channel"))
    direction: Mapped[Direction] = mapped_column(pg_enum(Direction, "direction"))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(200))
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    author_id: Mapped[uuid.UUID | None] = mapped_column()
    thread_id: Mapped[str | None] = mapped_column(String(200))
    media_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    sentiment_score: Mapped[float] = mapped_column(Float, server_default=text("0"))
    """−1..1, computed from the subject and body when the communication is stored (winnerr.ai.sentiment)."""
    sentiment_label: Mapped[SentimentLabel] = mapped_column(
        pg_enum(SentimentLabel, "sentiment_label"), server_default=SentimentLabel.NEUTRAL.value
    )
