"""Deals: a person's listing, purchase or rental moving through a pipeline."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Index, Integer, Numeric, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import DealStatus, DealType
from winnerr.db.models._columns import MONEY, pg_enum, tenant_key, tenant_reference


class Deal(TenantOwned, Timestamped, Base):
    __tablename__ = "deals"
    __table_args__ = (
        tenant_key(),
        tenant_reference("person_id", "people"),
        tenant_reference("property_id", "properties", ondelete="SET NULL (property_id)"),
        tenant_reference("pipeline_id", "pipelines"),
        tenant_reference("stage_id", "pipeline_stages"),
        Index("ix_deals_organization_id_person_id", "organization_id", "person_id"),
        Index("ix_deals_organization_id_property_id", "organization_id", "property_id"),
        Index("ix_deals_organization_id_stage_id", "organization_id", "stage_id"),
        Index("ix_deals_organization_id_created_at", "organization_id", "created_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("commission >= 0", name="commission_not_negative"),
        CheckConstraint("commission_rate BETWEEN 0 AND 100", name="commission_rate_range"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    deal_type: Mapped[DealType] = mapped_column(pg_enum(DealType, "deal_type"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    commission: Mapped[Decimal | None] = mapped_column(MONEY)
    commission_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    status: Mapped[DealStatus] = mapped_column(pg_enum(DealStatus, "deal_status"), default=DealStatus.OPEN)
    probability: Mapped[int] = mapped_column(Integer)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    actual_close_date: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    person_id: Mapped[uuid.UUID] = mapped_column()
    property_id: Mapped[uuid.UUID | None] = mapped_column()
    pipeline_id: Mapped[uuid.UUID] = mapped_column()
    stage_id: Mapped[uuid.UUID] = mapped_column()
