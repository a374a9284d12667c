"""Whether a person may be texted, as they last said (STOP, START, …)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned
from winnerr.db.enums import SmsConsentStatus
from winnerr.db.models._columns import pg_enum, tenant_key, tenant_reference


class SmsConsent(TenantOwned, Base):
    """One row per person who has said something about texts; its `id` is the person's id (so it is loaded
    like any row by id, and goes with the person)."""

    __tablename__ = "sms_consents"
    __table_args__ = (tenant_key(), tenant_reference("id", "people", ondelete="CASCADE"))

    status: Mapped[SmsConsentStatus] = mapped_column(pg_enum(SmsConsentStatus, "sms_consent_status"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(100))
