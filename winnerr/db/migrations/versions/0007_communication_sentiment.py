"""Communication sentiment: `sentiment_score` (−1..1) and `sentiment_label`, computed when a communication is
stored; the communications already there are scored here, with the same code.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from winnerr.ai.sentiment import of_message

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LABEL = postgresql.ENUM("POSITIVE", "NEUTRAL", "NEGATIVE", name="sentiment_label", create_type=False)


def upgrade() -> None:
    op.execute("CREATE TYPE sentiment_label AS ENUM ('POSITIVE', 'NEUTRAL', 'NEGATIVE')")
    op.add_column("communications", sa.Column("sentiment_score", sa.Float(), server_default=sa.text("0"), nullable=False))
    op.add_column(
        "communications",
        sa.Column("sentiment_label", LABEL, server_default="NEUTRAL", nullable=False),
    )
    _score_existing()


def _score_existing() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, subject, body FROM communications WHERE coalesce(subject, body) IS NOT NULL"))
    scored = [
        {"id": row.id, "score": found.score, "label": found.label.value}
        for row in rows
        for found in (of_message(row.subject, row.body),)
    ]
    if scored:
        bind.execute(
            sa.text("UPDATE communications SET sentiment_score = :score, sentiment_label = CAST(:label AS sentiment_label) WHERE id = :id"),
            scored,
        )


def downgrade() -> None:
    op.drop_column("communications", "sentiment_label")
    op.drop_column("communications", "sentiment_score")
    op.execute("DROP TYPE sentiment_label")
