"""Idempotency keys: a member's `Idempotency-Key` for a mutation, the request it came with and the answer it got.

`(organization_id, user_id, key)` is unique: the row is written in the mutation's own transaction, so a
concurrent request with the same key waits on it, and a mutation that rolled back leaves no key behind.
`fingerprint` is the SHA-256 of the request, `answer` the response's `data`; a row past `expires_at` is
as good as absent (`winnerr.idempotency`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned
from winnerr.db.models._columns import tenant_key


class IdempotencyKey(TenantOwned, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        tenant_key(),
        Index("uq_idempotency_keys_organization_id_user_id_key", "organization_id", "user_id", "key", unique=True),
        Index("ix_idempotency_keys_organization_id_expires_at", "organization_id", "expires_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
