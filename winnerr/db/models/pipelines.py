"""Sales pipelines and their ordered stages."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import DealStatus
from winnerr.db.models._columns import pg_enum, tenant_key, tenant_reference


class Pipeline(TenantOwned, Timestamped, Base):
    __tablename__ = "pipelines"
    __table_args__ = (
        tenant_key(),
        Index(
            "uq_pipelines_default", "organization_id", unique=True, postgresql_where="is_default"
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class PipelineStage(TenantOwned, Base):
    """A stage; `closes_as` marks the stages that close a deal as WON or LOST."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (
        tenant_key(),
        tenant_reference("pipeline_id", "pipelines", ondelete="CASCADE"),
        UniqueConstraint("organization_id", "pipeline_id", "position"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
    )

    pipeline_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[int] = mapped_column(Integer)
    closes_as: Mapped[DealStatus | None] = mapped_column(pg_enum(DealStatus, "deal_status"))
