"""Ready for sharding: the tables keyed by `id` are keyed by `(organization_id, id)`, so that each primary key
holds the column Citus would distribute them by (`winnerr.db.distribution`).

Each such table had `PRIMARY KEY (id)` beside `UNIQUE (organization_id, id)`, the target of the composite
foreign keys between tenant tables; the primary key becomes `(organization_id, id)` and the unique constraint,
now the same as the primary key, goes. The foreign keys that referenced it are dropped first and recreated
as they were (read from the catalog: same names, columns and ON DELETE actions), then bind to the new primary
key. Rows are not touched; the new key's index is built while the tables are locked.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYED_BY_ID = (
    "calendar_events",
    "communications",
    "deals",
    "idempotency_keys",
    "integrations",
    "people",
    "pipeline_stages",
    "pipelines",
    "properties",
    "sms_consents",
    "tasks",
)
WITHOUT_TENANT_KEY = ("idempotency_keys",)
"""Tables that had no `UNIQUE (organization_id, id)`: nothing referenced them."""

REFERENCING = sa.text(
    "SELECT conrelid::regclass::text AS owner, conname AS name, pg_get_constraintdef(oid) AS definition"
    " FROM pg_constraint WHERE contype = 'f' AND confrelid::regclass::text = ANY(:tables) ORDER BY conname"
)


def _tenant_key_name(table: str) -> str:
    return f"uq_{table}_organization_id_id"


def _rekey(keys: dict[str, list[str]]) -> None:
    """Give each table the primary and unique keys in `keys[table]` (SQL constraint clauses), dropping the
    foreign keys that reference these tables around the change and recreating them exactly as they were."""
    bind = op.get_bind()
    referencing = bind.execute(REFERENCING, {"tables": list(KEYED_BY_ID)}).all()
    for owner, name, _ in referencing:
        op.execute(f'ALTER TABLE "{owner}" DROP CONSTRAINT "{name}"')
    for table in KEYED_BY_ID:
        dropped = [f'DROP CONSTRAINT "pk_{table}"', f'DROP CONSTRAINT IF EXISTS "{_tenant_key_name(table)}"']
        op.execute(f'ALTER TABLE "{table}" ' + ", ".join([*dropped, *(f"ADD {key}" for key in keys[table])]))
    for owner, name, definition in referencing:
        op.execute(f'ALTER TABLE "{owner}" ADD CONSTRAINT "{name}" {definition}')


def upgrade() -> None:
    _rekey({table: [f'CONSTRAINT "pk_{table}" PRIMARY KEY (organization_id, id)'] for table in KEYED_BY_ID})


def downgrade() -> None:
    _rekey({
        table: [
            f'CONSTRAINT "pk_{table}" PRIMARY KEY (id)',
            *([] if table in WITHOUT_TENANT_KEY else [
                f'CONSTRAINT "{_tenant_key_name(table)}" UNIQUE (organization_id, id)'
            ]),
        ]
        for table in KEYED_BY_ID
    })
