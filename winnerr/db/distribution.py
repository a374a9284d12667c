"""Where each table would live on a sharded PostgreSQL (Citus): the one list the schema is held to.

Citus splits a distributed table into shards by one column and keeps the shards of colocated tables with the
same value together, so a statement about one organization runs on one node. It can only enforce a primary or
unique key that contains that column, and a foreign key between distributed tables that matches it on both
sides. Every table of an organization's records is distributed by `organization_id`, all of them colocated:
their primary keys are `(organization_id, id)` (or lead with `organization_id`), their unique keys include it,
and their foreign keys to each other carry it (`winnerr.db.models._columns.tenant_reference`).

A reference table is copied whole to every node: small, read by everything, rarely written. A local table stays
on the coordinator: infrastructure looked up by a token, a socket or a provider id before any organization is
known, and never joined to an organization's records. Citus lets distributed and local tables reference
reference tables, and reference tables reference only each other.

`tests/test_sharding_keys.py` reads the catalog after the migrations: it fails on a key that breaks these rules
and on a table that is in none of these lists. docs/operations.md ("Sharding with Citus") says how to apply them.
"""

from __future__ import annotations

from collections.abc import Mapping

DISTRIBUTION_COLUMN = "organization_id"

DISTRIBUTED_TABLES: tuple[str, ...] = (
    "billing",
    "calendar_events",
    "communications",
    "deal_favorites",
    "deals",
    "events",
    "idempotency_keys",
    "memberships",
    "people",
    "pipeline_stages",
    "pipelines",
    "properties",
    "sms_consents",
    "tasks",
)
"""An organization's records, distributed by `organization_id` and colocated. `events`, `memberships` and
`idempotency_keys` belong here too: events are written in the same transaction as the change they tell,
idempotency keys in the same transaction as the mutation they guard, and memberships are what tasks and
favorites reference; colocated, each of those transactions stays on one node."""

REFERENCE_TABLES: Mapping[str, str] = {
    "organizations": (
        "the anchor every distributed table references by organization_id (its id is their distribution value);"
        " one row per organization"
    ),
    "users": "people who sign in, looked up by e-mail before any organization is known; members of several",
    "integrations": (
        "a provider account (Twilio number, Nylas grant, Stripe customer) belongs to one organization in all:"
        " (provider, external_id) is unique across organizations and webhooks look it up before they know the"
        " organization; a few rows per organization, written when an account is connected"
    ),
}
"""Tables copied to every node, and why."""

LOCAL_TABLES: Mapping[str, str] = {
    "refresh_tokens": "looked up by the token's hash before its organization is known; rewritten at each refresh",
    "invitations": "looked up by the invitation token's hash when it is accepted, before any organization is known",
    "presence": "looked up by socket and instance (heartbeats and reaping cross organizations); written constantly",
    "webhook_deliveries": (
        "the inbox, looked up by (provider, external_id) before a delivery is mapped to an organization"
        " (organization_id stays NULL for an unmatched one), and replayed across organizations"
    ),
    "rate_limit_counters": "UNLOGGED counters keyed by client or member, across organizations; no organization_id",
    "alembic_version": "the migrations' bookkeeping",
}
"""Tables kept on the coordinator only, and why."""
