"""Shared rate limits and invitations: the UNLOGGED `rate_limit_counters` table every instance counts in, the
`invitations` of e-mails not yet users, and the MEMBER_ADDED event.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.get_context().autocommit_block():  # a new enum value is usable once its transaction committed
        op.execute("ALTER TYPE event_type ADD VALUE IF NOT EXISTS 'MEMBER_ADDED'")
    # UNLOGGED: counters are cheap to write and need no durability (a crash forgets them, like Redis would).
    # Keys are bytes: they hold client text (an e-mail), which may hold what PostgreSQL's text cannot (NUL).
    op.execute(
        "CREATE UNLOGGED TABLE rate_limit_counters ("
        " key bytea PRIMARY KEY,"
        " count bigint NOT NULL,"
        " expires_at double precision NOT NULL)"
    )
    op.create_index("ix_rate_limit_counters_expires_at", "rate_limit_counters", ["expires_at"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.UUID(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_invitations_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_invitations_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by"], ["users.id"], name="fk_invitations_invited_by_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
    )
    op.create_index("ix_invitations_organization_id_user_id", "invitations", ["organization_id", "user_id"])

def downgrade() -> None:
    """PostgreSQL cannot drop enum values: MEMBER_ADDED stays in `event_type`."""
    op.drop_index("ix_invitations_organization_id_user_id", table_name="invitations")
    op.drop_table("invitations")
    op.execute("DROP TABLE rate_limit_counters")
