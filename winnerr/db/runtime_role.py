"""The runtime role: what the app's statements run as, so row-level security binds them (`winnerr.db.rls`).

It owns no table and has no BYPASSRLS; it may read and write every table and call every function of the
schema, and nothing more (no DDL, not the migration history). `provision` creates it when missing and brings
an existing one back to that; run it as the owner after the migrations (`winnerr migrate` and `serve` do, for
`DATABASE_ROLE`, by default `winnerr_app`). The app then either connects as another role that may `SET ROLE` to
it (the migrating owner, say), or connects as it directly (give it LOGIN and a password yourself).
"""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from winnerr.db.engine import async_url

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
"""A role name usable unquoted in SQL: what `DATABASE_ROLE` accepts."""

_CREATE = """
DO $$ BEGIN
    CREATE ROLE {role} NOLOGIN;  -- no SUPERUSER, BYPASSRLS, CREATEDB nor CREATEROLE: the defaults
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- there already, or made at the same moment
END $$
"""
_PRIVILEGED = "SELECT rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = :role"
_UNPRIVILEGE = "ALTER ROLE {role} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
"""Only when needed: changing these attributes takes a superuser, which a managed database's owner is not."""
_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "REVOKE ALL ON alembic_version FROM {role}",
    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
)
_ONE_AT_A_TIME = "SELECT pg_advisory_xact_lock(hashtext('winnerr.runtime_role:' || :role))"
"""Instances starting together (`serve` migrates) provision one after the other: two concurrent GRANTs on one
object fail with 'tuple concurrently updated'."""
_MEMBER = "SELECT pg_has_role(current_user, :role, 'MEMBER')"
"""Whether the migrating role may `SET ROLE` to it (always, for a superuser)."""


def _checked(role: str) -> str:
    if not ROLE_NAME.match(role):
        raise ValueError(f"not a plain role name (lowercase letters, digits, _): {role!r}")
    return role


async def _provision(connection: AsyncConnection, role: str) -> None:
    await connection.execute(text(_ONE_AT_A_TIME), {"role": role})
    await connection.execute(text(_CREATE.format(role=role)))
    if await connection.scalar(text(_PRIVILEGED), {"role": role}):
        await connection.execute(text(_UNPRIVILEGE.format(role=role)))
    for grant in _GRANTS:
        await connection.execute(text(grant.format(role=role)))
    if not await connection.scalar(text(_MEMBER), {"role": role}):
        await connection.execute(text(f"GRANT {role} TO current_user"))


async def provision_async(database_url: str, role: str) -> None:
    """Create or update the runtime role and its grants on this database (as its owner)."""
    role = _checked(role)
    engine = create_async_engine(async_url(database_url), poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await _provision(connection, role)
    finally:
        await engine.dispose()


def provision(database_url: str, role: str) -> None:
    """`provision_async` for callers with no event loop running (the CLI, next to the migrations)."""
    asyncio.run(provision_async(database_url, role))
