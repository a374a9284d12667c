"""Tasks: follow-ups for a member, about a person or a deal."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, DateTime, ForeignKeyConstraint, Index, String, Text, and_, text
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.models._columns import tenant_key, tenant_reference


class Task(TenantOwned, Timestamped, Base):
    """A to-do; it outlives the person or deal it was about (their link is cleared)."""

    __tablename__ = "tasks"
    __table_args__ = (
        tenant_key(),
        tenant_reference("person_id", "people", ondelete="SET NULL (person_id)"),
        tenant_reference("deal_id", "deals", ondelete="SET NULL (deal_id)"),
        ForeignKeyConstraint(
            ["organization_id", "assignee_id"],
            ["memberships.organization_id", "memberships.user_id"],
            ondelete="SET NULL (assignee_id)",
        ),
        Index("ix_tasks_organization_id_person_id", "organization_id", "person_id"),
        Index("ix_tasks_organization_id_deal_id", "organization_id", "deal_id"),
        Index("ix_tasks_open_by_due_at", "organization_id", "due_at", postgresql_where=text("completed_at IS NULL")),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    person_id: Mapped[uuid.UUID | None] = mapped_column()
    deal_id: Mapped[uuid.UUID | None] = mapped_column()
    assignee_id: Mapped[uuid.UUID | None] = mapped_column()


def overdue_condition(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """`is_overdue` in SQL; never NULL, so that its negation keeps the tasks without a due time."""
    return and_(Task.completed_at.is_(None), Task.due_at.is_not(None), Task.due_at < now)
