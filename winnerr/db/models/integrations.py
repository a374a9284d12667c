"""Provider accounts connected to an organization, and the billing state Stripe keeps for it.

An `Integration` says which organization a provider's account belongs to: a Twilio number (E.164), a Nylas
grant (its `label` is the mailbox address) or a Stripe customer. One account belongs to one organization
only, so `(provider, external_id)` is unique across organizations: webhooks look the organization up by it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import IntegrationProvider, IntegrationStatus
from winnerr.db.models._columns import pg_enum, tenant_key


class Integration(TenantOwned, Timestamped, Base):
    __tablename__ = "integrations"
    __table_args__ = (
        tenant_key(),
        Index("uq_integrations_provider_external_id", "provider", "external_id", unique=True),
        Index("ix_integrations_organization_id_provider", "organization_id", "provider"),
    )

    provider: Mapped[IntegrationProvider] = mapped_column(pg_enum(IntegrationProvider, "integration_provider"))
    external_id: Mapped[str] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[IntegrationStatus] = mapped_column(
        pg_enum(IntegrationStatus, "integration_status"), default=IntegrationStatus.ACTIVE
    )


class Billing(Timestamped, Base):
    """An organization's subscription as Stripe last told it. `event_created` is the `created` time of the
    event that wrote it: an older event arriving late changes nothing."""

    __tablename__ = "billing"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(50))
    plan: Mapped[str | None] = mapped_column(String(200))
    current_period_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    event_created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
