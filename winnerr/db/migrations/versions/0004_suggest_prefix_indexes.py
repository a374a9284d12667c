"""People suggestions: b-tree indexes that read name and e-mail prefixes in order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX_INDEXES = {
    "ix_people_name_prefix": "lower(first_name || ' ' || last_name) COLLATE \"C\"",
    "ix_people_last_name_prefix": 'lower(last_name) COLLATE "C"',
    "ix_people_email_prefix": 'lower(email) COLLATE "C"',
}


def upgrade() -> None:
    for name, expression in PREFIX_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON people (organization_id, ({expression}), id)")


def downgrade() -> None:
    for name in PREFIX_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
