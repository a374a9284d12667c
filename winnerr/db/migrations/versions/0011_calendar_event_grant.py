"""Calendar events written through Nylas: the grant and calendar that hold each event, so updating and
cancelling it go to the right mailbox.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("calendar_events", sa.Column("grant_id", sa.String(length=200), nullable=True))
    op.add_column("calendar_events", sa.Column("calendar_id", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("calendar_events", "calendar_id")
    op.drop_column("calendar_events", "grant_id")
