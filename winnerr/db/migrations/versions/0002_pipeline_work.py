"""Pipeline work: people and property search, trigram suggestions, tasks, favorite deals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = {
    "ix_people_name_trgm": "(first_name || ' ' || last_name) gin_trgm_ops",
    "ix_people_email_trgm": "lower(email) gin_trgm_ops",
}


def _has_pg_trgm() -> bool:
    """pg_trgm ships with PostgreSQL's contrib; the embedded server (pgserver) does not have it."""
    query = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    return op.get_bind().execute(query).first() is not None


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION winnerr_immutable_join(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT array_to_string($1, ' ') $$"
    )
    if _has_pg_trgm():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, expression in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON people USING gin ({expression})")
    op.create_table('deal_favorites',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'deal_id'], ['deals.organization_id', 'deals.id'], name=op.f('fk_deal_favorites_organization_id_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id', 'user_id'], ['memberships.organization_id', 'memberships.user_id'], name=op.f('fk_deal_favorites_organization_id_user_id_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'user_id', 'deal_id', name=op.f('pk_deal_favorites'))
    )
    op.create_table('tasks',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('deal_id', sa.Uuid(), nullable=True),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'assignee_id'], ['memberships.organization_id', 'memberships.user_id'], name=op.f('fk_tasks_organization_id_assignee_id_memberships'), ondelete='SET NULL (assignee_id)'),
    sa.ForeignKeyConstraint(['organization_id', 'deal_id'], ['deals.organization_id', 'deals.id'], name=op.f('fk_tasks_organization_id_deal_id_deals'), ondelete='SET NULL (deal_id)'),
    sa.ForeignKeyConstraint(['organization_id', 'person_id'], ['people.organization_id', 'people.id'], name=op.f('fk_tasks_organization_id_person_id_people'), ondelete='SET NULL (person_id)'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tasks_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_tasks_organization_id_id'))
    )
    op.create_index('ix_tasks_open_by_due_at', 'tasks', ['organization_id', 'due_at'], unique=False, postgresql_where=sa.text('completed_at IS NULL'))
    op.create_index('ix_tasks_organization_id_deal_id', 'tasks', ['organization_id', 'deal_id'], unique=False)
    op.create_index('ix_tasks_organization_id_person_id', 'tasks', ['organization_id', 'person_id'], unique=False)
    op.add_column('people', sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("\nsetweight(to_tsvector('simple', first_name || ' ' || last_name), 'A')\n|| setweight(to_tsvector('simple', coalesce(email || ' ' || regexp_replace(email, '[@.+_-]', ' ', 'g'), '')), 'B')\n|| setweight(to_tsvector('simple', coalesce(city, '') || ' ' || winnerr_immutable_join(tags)), 'C')\n|| setweight(to_tsvector('simple', coalesce(regexp_replace(phone, '[^0-9]', '', 'g'), '') || ' '\n   || coalesce(right(regexp_replace(phone, '[^0-9]', '', 'g'), 10), '')), 'C')\n", persisted=True), nullable=False))
    op.create_index('ix_people_search_vector', 'people', ['search_vector'], unique=False, postgresql_using='gin')
    op.add_column('properties', sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("\nsetweight(to_tsvector('simple', address || ' ' || city || ' ' || zip_code || ' ' || coalesce(mls_number, '')), 'A')\n|| setweight(to_tsvector('simple', coalesce(description, '')), 'B')\n", persisted=True), nullable=False))
    op.create_index('ix_properties_organization_id_price', 'properties', ['organization_id', 'price'], unique=False)
    op.create_index('ix_properties_search_vector', 'properties', ['search_vector'], unique=False, postgresql_using='gin')


def downgrade() -> None:
    for name in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index('ix_properties_search_vector', table_name='properties', postgresql_using='gin')
    op.drop_index('ix_properties_organization_id_price', table_name='properties')
    op.drop_column('properties', 'search_vector')
    op.drop_index('ix_people_search_vector', table_name='people', postgresql_using='gin')
    op.drop_column('people', 'search_vector')
    op.drop_index('ix_tasks_organization_id_person_id', table_name='tasks')
    op.drop_index('ix_tasks_organization_id_deal_id', table_name='tasks')
    op.drop_index('ix_tasks_open_by_due_at', table_name='tasks', postgresql_where=sa.text('completed_at IS NULL'))
    op.drop_table('tasks')
    op.drop_table('deal_favorites')
    op.execute("DROP FUNCTION winnerr_immutable_join(text[])")
