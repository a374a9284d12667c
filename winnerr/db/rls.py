"""Row-level security, the second lock on every tenant table: what migrations call, and what is exempt.

Every table with an `organization_id` column holding an organization's records gets one policy,
`tenant_isolation`: a row is visible and writable only while the transaction-local setting
`app.organization_id` names its organization (`winnerr.db.engine` sets it at the start of each transaction);
unset, no row at all. The policy binds roles that neither own the table nor have BYPASSRLS: the runtime role
(`winnerr.db.runtime_role`), not the owner that migrations run as.

A migration that creates a tenant table calls `enable_row_level_security("table")` after creating it (and
`disable_row_level_security` in its downgrade); `tests/test_row_level_security.py` fails on a table with
`organization_id` that has neither the policy nor a place in `EXEMPT_TABLES`.
"""

from __future__ import annotations

from collections.abc import Mapping

from alembic import op

from winnerr.db.engine import ORGANIZATION_SETTING

POLICY_NAME = "tenant_isolation"
CURRENT_ORGANIZATION = f"nullif(current_setting('{ORGANIZATION_SETTING}', true), '')::uuid"
"""The transaction's organization, NULL when unset (and `organization_id = NULL` holds for no row)."""

EXEMPT_TABLES: Mapping[str, str] = {
    "memberships": (
        "who belongs where: read to establish the tenant before one is trusted (login choosing among a user's"
        " organizations, every token and socket re-check, in batches across organizations); it holds no CRM data"
    ),
    "refresh_tokens": "looked up by the token's hash, before its organization is known; holds hashes only",
    "invitations": "looked up by the invitation token's hash when it is accepted, before any organization is known",
    "webhook_deliveries": (
        "the inbox, looked up by (provider, external id) before the delivery is mapped to an organization"
        " (organization_id stays NULL for an unmatched one), and replayed across organizations"
    ),
    "presence": "looked up by socket and instance (heartbeats and reaping cross organizations); ids and times only",
}
"""Tables with an `organization_id` column that row-level security leaves alone, and why: infrastructure looked
up by a token, a socket or a provider id before the organization is known. Keep it short."""


def enable_row_level_security(table: str) -> None:
    """Hold `table`'s rows to the transaction's organization, for reads and writes alike."""
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY {POLICY_NAME} ON "{table}"'
        f" USING (organization_id = {CURRENT_ORGANIZATION})"
        f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
    )


def disable_row_level_security(table: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
