"""Foundation: organizations, members, refresh tokens, pipelines, people, properties, deals.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('organizations',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations'))
    )
    op.create_table('users',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_index('uq_users_email_lower', 'users', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('memberships',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('role', sa.Enum('OWNER', 'ADMIN', 'AGENT', 'VIEWER', name='role'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_memberships_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'user_id', name=op.f('pk_memberships'))
    )
    op.create_index('ix_memberships_user_id', 'memberships', ['user_id'], unique=False)
    op.create_table('people',
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=50), nullable=True),
    sa.Column('zip_code', sa.String(length=10), nullable=True),
    sa.Column('source', sa.Enum('WEBSITE', 'REFERRAL', 'SOCIAL_MEDIA', 'COLD_CALL', name='lead_source'), nullable=True),
    sa.Column('status', sa.Enum('PROSPECT', 'LEAD', 'QUALIFIED', 'ACTIVE_CLIENT', 'PAST_CLIENT', name='person_status'), nullable=False),
    sa.Column('lead_score', sa.Integer(), nullable=False),
    sa.Column('last_contact_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('custom_fields', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('lead_score BETWEEN 0 AND 100', name=op.f('ck_people_lead_score_range')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_people_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_people_organization_id_id'))
    )
    op.create_index('ix_people_organization_id_created_at', 'people', ['organization_id', 'created_at'], unique=False)
    op.create_index('uq_people_organization_id_email', 'people', ['organization_id', sa.literal_column('lower(email)')], unique=True)
    op.create_table('pipelines',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_pipelines_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipelines')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_pipelines_organization_id_id'))
    )
    op.create_index('uq_pipelines_default', 'pipelines', ['organization_id'], unique=True, postgresql_where='is_default')
    op.create_table('properties',
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=50), nullable=False),
    sa.Column('zip_code', sa.String(length=10), nullable=False),
    sa.Column('property_type', sa.Enum('SINGLE_FAMILY', 'CONDO', 'TOWNHOUSE', name='property_type'), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'PENDING', 'SOLD', name='property_status'), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('bedrooms', sa.Integer(), nullable=True),
    sa.Column('bathrooms', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('square_feet', sa.Integer(), nullable=True),
    sa.Column('mls_number', sa.String(length=50), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('price > 0', name=op.f('ck_properties_price_positive')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_properties_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_properties')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_properties_organization_id_id'))
    )
    op.create_index('ix_properties_organization_id_created_at', 'properties', ['organization_id', 'created_at'], unique=False)
    op.create_index('uq_properties_organization_id_mls_number', 'properties', ['organization_id', 'mls_number'], unique=True)
    op.create_table('refresh_tokens',
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_refresh_tokens_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_refresh_tokens_token_hash'))
    )
    op.create_index('ix_refresh_tokens_organization_id_family_id', 'refresh_tokens', ['organization_id', 'family_id'], unique=False)
    op.create_table('pipeline_stages',
    sa.Column('pipeline_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('closes_as', sa.Enum('OPEN', 'WON', 'LOST', name='deal_status'), nullable=True),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.CheckConstraint('probability BETWEEN 0 AND 100', name=op.f('ck_pipeline_stages_probability_range')),
    sa.ForeignKeyConstraint(['organization_id', 'pipeline_id'], ['pipelines.organization_id', 'pipelines.id'], name=op.f('fk_pipeline_stages_organization_id_pipeline_id_pipelines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_pipeline_stages_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_stages')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_pipeline_stages_organization_id_id')),
    sa.UniqueConstraint('organization_id', 'pipeline_id', 'position', name=op.f('uq_pipeline_stages_organization_id_pipeline_id_position'))
    )
    op.create_table('deals',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('deal_type', sa.Enum('LISTING', 'BUYER_REPRESENTATION', 'RENTAL', name='deal_type'), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('commission', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('commission_rate', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('status', sa.Enum('OPEN', 'WON', 'LOST', name='deal_status'), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('expected_close_date', sa.Date(), nullable=True),
    sa.Column('actual_close_date', sa.Date(), nullable=True),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('property_id', sa.Uuid(), nullable=True),
    sa.Column('pipeline_id', sa.Uuid(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.UUID(), nullable=False),
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_deals_amount_positive')),
    sa.CheckConstraint('commission >= 0', name=op.f('ck_deals_commission_not_negative')),
    sa.CheckConstraint('commission_rate BETWEEN 0 AND 100', name=op.f('ck_deals_commission_rate_range')),
    sa.CheckConstraint('probability BETWEEN 0 AND 100', name=op.f('ck_deals_probability_range')),
    sa.ForeignKeyConstraint(['organization_id', 'person_id'], ['people.organization_id', 'people.id'], name=op.f('fk_deals_organization_id_person_id_people')),
    sa.ForeignKeyConstraint(['organization_id', 'pipeline_id'], ['pipelines.organization_id', 'pipelines.id'], name=op.f('fk_deals_organization_id_pipeline_id_pipelines')),
    sa.ForeignKeyConstraint(['organization_id', 'property_id'], ['properties.organization_id', 'properties.id'], name=op.f('fk_deals_organization_id_property_id_properties'), ondelete='SET NULL (property_id)'),
    sa.ForeignKeyConstraint(['organization_id', 'stage_id'], ['pipeline_stages.organization_id', 'pipeline_stages.id'], name=op.f('fk_deals_organization_id_stage_id_pipeline_stages')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_deals_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('organization_id', 'id', name=op.f('uq_deals_organization_id_id'))
    )
    op.create_index('ix_deals_organization_id_created_at', 'deals', ['organization_id', 'created_at'], unique=False)
    op.create_index('ix_deals_organization_id_person_id', 'deals', ['organization_id', 'person_id'], unique=False)
    op.create_index('ix_deals_organization_id_property_id', 'deals', ['organization_id', 'property_id'], unique=False)
    op.create_index('ix_deals_organization_id_stage_id', 'deals', ['organization_id', 'stage_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_deals_organization_id_stage_id', table_name='deals')
    op.drop_index('ix_deals_organization_id_property_id', table_name='deals')
    op.drop_index('ix_deals_organization_id_person_id', table_name='deals')
    op.drop_index('ix_deals_organization_id_created_at', table_name='deals')
    op.drop_table('deals')
    op.drop_table('pipeline_stages')
    op.drop_index('ix_refresh_tokens_organization_id_family_id', table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_index('uq_properties_organization_id_mls_number', table_name='properties')
    op.drop_index('ix_properties_organization_id_created_at', table_name='properties')
    op.drop_table('properties')
    op.drop_index('uq_pipelines_default', table_name='pipelines', postgresql_where='is_default')
    op.drop_table('pipelines')
    op.drop_index('uq_people_organization_id_email', table_name='people')
    op.drop_index('ix_people_organization_id_created_at', table_name='people')
    op.drop_table('people')
    op.drop_index('ix_memberships_user_id', table_name='memberships')
    op.drop_table('memberships')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_table('users')
    op.drop_table('organizations')
    for enum in ("role", "lead_source", "person_status", "deal_type", "deal_status", "property_type", "property_status"):
        sa.Enum(name=enum).drop(op.get_bind(), checkfirst=True)
