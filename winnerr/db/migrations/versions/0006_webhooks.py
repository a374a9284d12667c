"""Providers: integrations (Twilio numbers, Nylas grants, Stripe customers), the webhook inbox, billing
state, calendar events, SMS consent, and communications' thread id and media URLs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('billing',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('status', sa.String(length=50), nullable=False),
    sa.Column('plan', sa.String(length=200), nullable=True),
    sa.Column('current_period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('event_created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_billing_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_billing'))
    )
    op.create_table('integrations',
    sa.Column('provider', sa.Enum('TWILIO', 'NYLAS', 'STRIPE', name='integration_provider'), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=320), nullable=True),
    sa.Column('status', sa.Enum('ACTIVE', 'BROKEN', name='integration_status'), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_integrations_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrations')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_integrations_organization_id_id'))
    )
    op.create_index('ix_integrations_organization_id_provider', 'integrations', ['organization_id', 'provider'], unique=False)
    op.create_index('uq_integrations_provider_external_id', 'integrations', ['provider', 'external_id'], unique=True)
    op.create_table('webhook_deliveries',
    sa.Column('provider', postgresql.ENUM('TWILIO', 'NYLAS', 'STRIPE', name='integration_provider', create_type=False), nullable=False),
    sa.Column('external_id', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_webhook_deliveries_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index('ix_webhook_deliveries_organization_id_received_at', 'webhook_deliveries', ['organization_id', sa.literal_column('received_at DESC')], unique=False)
    op.create_index('ix_webhook_deliveries_pending', 'webhook_deliveries', ['provider', 'received_at'], unique=False, postgresql_where=sa.text('applied_at IS NULL'))
    op.create_index('uq_webhook_deliveries_provider_external_id', 'webhook_deliveries', ['provider', 'external_id'], unique=True)
    op.create_table('calendar_events',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('CONFIRMED', 'TENTATIVE', 'CANCELLED', name='calendar_event_status'), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('property_id', sa.Uuid(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'person_id'], ['people.organization_id', 'people.id'], name=op.f('fk_calendar_events_organization_id_person_id_people'), ondelete='SET NULL (person_id)'),
    sa.ForeignKeyConstraint(['organization_id', 'property_id'], ['properties.organization_id', 'properties.id'], name=op.f('fk_calendar_events_organization_id_property_id_properties'), ondelete='SET NULL (property_id)'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_calendar_events_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_events')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_calendar_events_organization_id_id'))
    )
    op.create_index('ix_calendar_events_organization_id_starts_at', 'calendar_events', ['organization_id', 'starts_at'], unique=False)
    op.create_index('uq_calendar_events_organization_id_external_id', 'calendar_events', ['organization_id', 'external_id'], unique=True)
    op.create_table('sms_consents',
    sa.Column('status', sa.Enum('UNKNOWN', 'OPTED_IN', 'OPTED_OUT', name='sms_consent_status'), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id', 'id'], ['people.organization_id', 'people.id'], name=op.f('fk_sms_consents_organization_id_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_sms_consents_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_consents')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_sms_consents_organization_id_id'))
    )
    op.add_column('communications', sa.Column('thread_id', sa.String(length=200), nullable=True))
    op.add_column('communications', sa.Column('media_urls', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False))


def downgrade() -> None:
    op.drop_column('communications', 'media_urls')
    op.drop_column('communications', 'thread_id')
    op.drop_table('sms_consents')
    op.drop_index('uq_calendar_events_organization_id_external_id', table_name='calendar_events')
    op.drop_index('ix_calendar_events_organization_id_starts_at', table_name='calendar_events')
    op.drop_table('calendar_events')
    op.drop_index('uq_webhook_deliveries_provider_external_id', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_pending', table_name='webhook_deliveries', postgresql_where=sa.text('applied_at IS NULL'))
    op.drop_index('ix_webhook_deliveries_organization_id_received_at', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index('uq_integrations_provider_external_id', table_name='integrations')
    op.drop_index('ix_integrations_organization_id_provider', table_name='integrations')
    op.drop_table('integrations')
    op.drop_table('billing')
    for enum in ('sms_consent_status', 'calendar_event_status', 'integration_status', 'integration_provider'):
        op.execute(f'DROP TYPE {enum}')
