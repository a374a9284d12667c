"""Favorite deals: each member's own bookmarks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base
from winnerr.db.models._columns import tenant_reference


class DealFavorite(Base):
    __tablename__ = "deal_favorites"
    __table_args__ = (
        tenant_reference("deal_id", "deals", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["organization_id", "user_id"], ["memberships.organization_id", "memberships.user_id"], ondelete="CASCADE"
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    deal_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
