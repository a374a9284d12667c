"""Row-level security on every tenant table (`winnerr.db.rls`), and the two lookups webhooks make before they
know the organization, as SECURITY DEFINER functions that answer only the organization (and integration) of
one account or call.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

from winnerr.db.rls import disable_row_level_security, enable_row_level_security

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "billing",
    "calendar_events",
    "communications",
    "deal_favorites",
    "deals",
    "events",
    "integrations",
    "people",
    "pipeline_stages",
    "pipelines",
    "properties",
    "sms_consents",
    "tasks",
)

# Owned by the migrating role, so they read past the policies; they answer one account's or call's
# organization and nothing else, with a fixed search_path so a caller's objects cannot stand in.
ROUTING_FUNCTIONS = (
    """
CREATE FUNCTION winnerr_account_organization(account_provider integration_provider, account_id text)
RETURNS TABLE (organization_id uuid, integration_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT organization_id, id FROM integrations
    WHERE provider = account_provider AND external_id = account_id
    LIMIT 1
$$""",
    """
CREATE FUNCTION winnerr_call_organization(call_sid text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT organization_id FROM communications
    WHERE external_id = call_sid AND channel = 'CALL'
    LIMIT 1
$$""",
    "REVOKE ALL ON FUNCTION winnerr_account_organization(integration_provider, text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION winnerr_call_organization(text) FROM PUBLIC",
)


def upgrade() -> None:
    for table in TENANT_TABLES:
        enable_row_level_security(table)
    for statement in ROUTING_FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION winnerr_call_organization(text)")
    op.execute("DROP FUNCTION winnerr_account_organization(integration_provider, text)")
    for table in TENANT_TABLES:
        disable_row_level_security(table)
