"""Member events: MEMBER_REMOVED and MEMBER_ROLE_CHANGED, an index to find an organization's latest, and
`presence.left_at` (a closed socket's row lingers for the presence grace period).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER_EVENTS = ("MEMBER_REMOVED", "MEMBER_ROLE_CHANGED")


def upgrade() -> None:
    # A new enum value can be used only once the transaction that added it has committed.
    with op.get_context().autocommit_block():
        for value in MEMBER_EVENTS:
            op.execute(f"ALTER TYPE event_type ADD VALUE IF NOT EXISTS '{value}'")
    op.create_index(
        "ix_events_member_changes",
        "events",
        ["organization_id", "sequence"],
        postgresql_where=sa.text("type IN ('MEMBER_REMOVED', 'MEMBER_ROLE_CHANGED')"),
    )
    op.add_column("presence", sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """PostgreSQL cannot drop enum values: MEMBER_REMOVED and MEMBER_ROLE_CHANGED stay in `event_type`."""
    op.drop_column("presence", "left_at")
    op.drop_index("ix_events_member_changes", table_name="events")
