"""The webhook inbox: every verified delivery of a provider, recorded once.

`(provider, external_id)` is unique, so a redelivery finds its row and changes nothing. `organization_id`
stays empty while no integration maps the delivery (it is applied once one does, by `winnerr webhooks
replay`); `applied_at` is set when it has been applied, `last_error` keeps why applying it failed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, Identified
from winnerr.db.enums import IntegrationProvider
from winnerr.db.models._columns import pg_enum


class WebhookDelivery(Identified, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("uq_webhook_deliveries_provider_external_id", "provider", "external_id", unique=True),
        Index("ix_webhook_deliveries_organization_id_received_at", "organization_id", text("received_at DESC")),
        Index("ix_webhook_deliveries_pending", "provider", "received_at", postgresql_where=text("applied_at IS NULL")),
    )

    provider: Mapped[IntegrationProvider] = mapped_column(pg_enum(IntegrationProvider, "integration_provider"))
    external_id: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(100))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
