"""The lead score is computed from each person's signals when read (`winnerr.db.lead_scores`): the stored
`people.lead_score`, which clients set by hand, goes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_column("people", "lead_score")


def downgrade() -> None:
    op.add_column("people", sa.Column("lead_score", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_check_constraint("ck_people_lead_score_range", "people", "lead_score BETWEEN 0 AND 100")
