"""Live updates: the events table and per-organization sequence, presence, communications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.Enum('DEAL_CREATED', 'DEAL_UPDATED', 'DEAL_MOVED', 'DEAL_DELETED', 'COMMUNICATION_CREATED', 'TASK_CREATED', 'TASK_UPDATED', 'MEMBER_ONLINE', 'MEMBER_OFFLINE', name='event_type'), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_events_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'sequence', name=op.f('pk_events'))
    )
    op.create_index('ix_events_organization_id_entity_id', 'events', ['organization_id', 'entity_id', 'sequence'], unique=False)
    op.create_table('presence',
    sa.Column('connection_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('connected_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_presence_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_presence_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connection_id', name=op.f('pk_presence'))
    )
    op.create_index('ix_presence_organization_id_user_id', 'presence', ['organization_id', 'user_id'], unique=False)
    op.create_table('communications',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.Enum('CALL', 'SMS', 'EMAIL', 'NOTE', 'MEETING', name='communication_channel'), nullable=False),
    sa.Column('direction', sa.Enum('INBOUND', 'OUTBOUND', name='direction'), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('recording_url', sa.String(length=1000), nullable=True),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'person_id'], ['people.organization_id', 'people.id'], name=op.f('fk_communications_organization_id_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_communications_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communications')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_communications_organization_id_id'))
    )
    op.create_index('ix_communications_person_timeline', 'communications', ['organization_id', 'person_id', sa.literal_column('occurred_at DESC')], unique=False)
    op.create_index('uq_communications_external_id', 'communications', ['organization_id', 'external_id'], unique=True, postgresql_where=sa.text('external_id IS NOT NULL'))
    op.add_column('organizations', sa.Column('event_sequence', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('organizations', 'event_sequence')
    op.drop_index('uq_communications_external_id', table_name='communications', postgresql_where=sa.text('external_id IS NOT NULL'))
    op.drop_index('ix_communications_person_timeline', table_name='communications')
    op.drop_table('communications')
    op.drop_index('ix_presence_organization_id_user_id', table_name='presence')
    op.drop_table('presence')
    op.drop_index('ix_events_organization_id_entity_id', table_name='events')
    op.drop_table('events')
    for enum in ("event_type", "communication_channel", "direction"):
        sa.Enum(name=enum).drop(op.get_bind(), checkfirst=True)
