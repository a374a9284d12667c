"""Row-level security, the second lock (issue 11, point 4): a statement that forgets the organization filter
still sees and writes only the organization its transaction is bound to, on pooled connections reused across
organizations; a transaction bound to none sees no tenant row; every tenant table has the policy; and the app
works end to end as the runtime role `winnerr migrate` makes, which it runs as by default (so does every test)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.cli import winnerr
from tests.factories import PASSWORD, Tenant
from tests.providers import communications, connect, nylas_notification, post_nylas, provider_settings
from tests.runtime_role import runtime_role
from tests.test_people import count_people, create_person
from tests.test_webhooks_nylas import message, unique
from winnerr.app import create_app
from winnerr.db.database import Database
from winnerr.db.engine import PoolMode, create_engine, session_factory
from winnerr.db.reads import ReadPool
from winnerr.db.rls import EXEMPT_TABLES, POLICY_NAME
from winnerr.settings import DEFAULT_ROLE, Settings, load_settings
from winnerr.state import STATE_KEY, AppState

__all__ = ["runtime_role"]

TABLES_WITH_ORGANIZATION = """
SELECT c.relname, c.relrowsecurity FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p') ORDER BY c.relname
"""
POLICIES = "SELECT tablename, policyname, permissive, roles, cmd, qual, with_check FROM pg_policies"


async def _catalog(app_state: AppState, query: str) -> list[tuple[object, ...]]:
    async with app_state.database.engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(query))]


async def _row_counts(app_state: AppState, counting: str) -> dict[str, int]:
    """The rows of each table, from a query of (table, count) rows run as the owner."""
    async with app_state.database.engine.connect() as connection:
        return dict((await connection.execute(text(counting))).all())


async def protected_tables(app_state: AppState) -> list[str]:
    return [str(row[0]) for row in await _catalog(app_state, TABLES_WITH_ORGANIZATION) if row[0] not in EXEMPT_TABLES]


@pytest.fixture
async def pooled(settings: Settings) -> AsyncIterator[Database]:
    """The app's session machinery as its runtime role, on a pool of one connection: every session reuses it."""
    assert settings.database_url is not None
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        role = settings.database_role
        yield Database(engine, session_factory(engine, role=role), ReadPool(settings.database_url, role=role))
    finally:
        await engine.dispose()


async def test_every_table_with_an_organization_has_the_policy_or_a_reason(app_state: AppState) -> None:
    tables = {str(name): bool(secured) for name, secured in await _catalog(app_state, TABLES_WITH_ORGANIZATION)}
    assert set(EXEMPT_TABLES) <= set(tables), "an exempt table that no longer exists or lost organization_id"
    policies = await _catalog(app_state, POLICIES)
    for table, secured in tables.items():
        if table in EXEMPT_TABLES:
            continue
        own = [policy for policy in policies if policy[0] == table]
        assert secured, f"{table}: row-level security is not enabled"
        assert len(own) == 1, f"{table}: expected exactly the {POLICY_NAME} policy, found {own}"
        _, name, permissive, roles, command, using, check = own[0]
        assert (name, permissive, roles, command) == (POLICY_NAME, "PERMISSIVE", ["public"], "ALL")
        assert using == check, table
        assert str(using).startswith("(organization_id = ")
        assert "current_setting('app.organization_id'" in str(using)


async def test_migrate_makes_a_runtime_role_that_owns_nothing_and_cannot_bypass(
    app_state: AppState, cli_env: dict[str, str], runtime_role: str
) -> None:
    async with app_state.database.engine.begin() as connection:
        await connection.execute(text(f"ALTER ROLE {runtime_role} BYPASSRLS"))  # drifted since the last migrate
    migrated = winnerr({**cli_env, "DATABASE_ROLE": runtime_role}, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    query = f"""SELECT rolsuper, rolbypassrls,
        (SELECT count(*) FROM pg_tables WHERE tableowner = '{runtime_role}'),
        has_table_privilege('{runtime_role}', 'people', 'SELECT, INSERT, UPDATE, DELETE'),
        has_table_privilege('{runtime_role}', 'alembic_version', 'SELECT')
        FROM pg_roles WHERE rolname = '{runtime_role}'"""
    assert await _catalog(app_state, query) == [(False, False, 0, True, False)]


async def test_the_app_runs_as_the_runtime_role_by_default(settings: Settings, app_state: AppState) -> None:
    assert settings.database_role == DEFAULT_ROLE, "the tests' settings leave DATABASE_ROLE to its default"
    async with app_state.database.sessions() as session:
        assert await session.scalar(text("SELECT current_user")) == DEFAULT_ROLE


async def test_an_empty_database_role_runs_the_app_as_the_connecting_user(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How an operator turns the runtime role off (`DATABASE_ROLE=`): nothing is set, the URL's user is trusted."""
    monkeypatch.setenv("DATABASE_ROLE", "")
    off = load_settings(database_url=settings.database_url, winnerr_data_dir=settings.winnerr_data_dir)
    assert off.database_role is None
    async with LifespanManager(create_app(off)) as manager:
        state: AppState = manager._state[STATE_KEY]
        async with state.database.sessions() as session:
            assert await session.scalar(text("SELECT current_user")) == make_url(str(off.database_url)).username


async def test_a_query_that_forgets_the_filter_sees_only_the_bound_organization(
    tenant: Tenant, other_tenant: Tenant, pooled: Database, app_state: AppState
) -> None:
    for owner in (tenant, other_tenant):
        await create_person(owner, lastName=owner.organization_id.hex)
    backends = set()
    for owner in (tenant, other_tenant, tenant, other_tenant):
        async with pooled.session_for(owner.organization_id) as session:
            backend = await session.scalar(text("SELECT pg_backend_pid()"))
            seen = set(await session.scalars(text("SELECT organization_id FROM people")))
            stages = set(await session.scalars(text("SELECT organization_id FROM pipeline_stages")))
        backends.add(backend)
        assert seen == stages == {owner.organization_id}
    assert len(backends) == 1, "every organization's transaction ran on the same pooled connection"


async def test_writes_that_forget_the_filter_touch_only_the_bound_organization(
    tenant: Tenant, other_tenant: Tenant, pooled: Database, app_state: AppState
) -> None:
    mine, theirs = tenant.organization_id, other_tenant.organization_id
    async with pooled.session_for(mine) as session:
        renamed = await session.execute(text("UPDATE pipelines SET name = name RETURNING organization_id"))
        assert set(renamed.scalars()) == {mine}
        await session.rollback()
        planted = text("INSERT INTO people (organization_id, first_name, last_name) VALUES (:org, 'Eve', 'Plant')")
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(planted, {"org": theirs})


async def test_a_transaction_bound_to_no_organization_sees_no_tenant_row(
    tenant: Tenant, pooled: Database, app_state: AppState, database_url: str
) -> None:
    tables = await protected_tables(app_state)
    counting = " UNION ALL ".join(f"SELECT '{table}', count(*) FROM \"{table}\"" for table in tables)
    everything = await _row_counts(app_state, counting)  # the owner sees past the policies
    assert everything["pipelines"] > 0
    assert everything["pipeline_stages"] > 0
    async with pooled.session_for(tenant.organization_id) as session:
        await session.execute(text("SELECT 1"))  # the pooled connection was last bound to an organization
    async with pooled.sessions() as session:
        unbound = {str(table): count for table, count in await session.execute(text(counting))}
    connection = await asyncpg.connect(database_url)  # a connection that never had the setting at all
    try:
        await connection.execute(f"SET ROLE {DEFAULT_ROLE}")
        never_set = dict(tuple(row) for row in await connection.fetch(counting))
    finally:
        await connection.close()
    assert unbound == never_set == dict.fromkeys(tables, 0)


@pytest.mark.parametrize("pool_mode", list(PoolMode))
async def test_a_compiled_read_that_forgets_the_filter_sees_only_its_organization(
    tenant: Tenant, other_tenant: Tenant, settings: Settings, pool_mode: PoolMode
) -> None:
    """The compiled read path's pool, on one connection that serves organizations in turn: each statement runs
    as the runtime role, read-only, bound to its own organization, whether the session stays bound between
    statements (direct) or every statement opens a transaction of its own (behind a transaction pooler)."""
    assert settings.database_url is not None
    for owner in (tenant, other_tenant):
        await create_person(owner, lastName=owner.organization_id.hex)
    reads = ReadPool(settings.database_url, role=settings.database_role, pool_mode=pool_mode, size=1)
    backends = set()
    try:
        for owner in (tenant, other_tenant, other_tenant, tenant, other_tenant):
            row = await reads.fetchrow(FORGETFUL_READ, [], owner.organization_id)
            assert (row["seen"], row["who"], row["read_only"]) == ([owner.organization_id], DEFAULT_ROLE, "on")
            backends.add(row["backend"])
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await reads.fetchrow("UPDATE people SET last_name = 'x' RETURNING id", [], tenant.organization_id)
        after_a_failure = await reads.fetchrow(FORGETFUL_READ, [], other_tenant.organization_id)
        assert after_a_failure["seen"] == [other_tenant.organization_id]
    finally:
        await reads.close()
    assert len(backends) == 1, "every organization's statement ran on the same pooled connection"


FORGETFUL_READ = """SELECT array_agg(DISTINCT organization_id) AS seen, current_user AS who,
    current_setting('transaction_read_only') AS read_only, pg_backend_pid() AS backend FROM people"""


@pytest.fixture
async def hooks(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(create_app(provider_settings(settings))) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://internal-host:8080") as client:
            yield client


async def test_the_app_works_as_the_runtime_role(
    tenant: Tenant, other_tenant: Tenant, client: httpx.AsyncClient, hooks: httpx.AsyncClient
) -> None:
    """Logging in (before any organization is known), CRUD, and a webhook mapped to its organization by
    provider account, all through transactions that row-level security binds."""
    login = await client.post(
        "/auth/token", data={"grant_type": "password", "email": tenant.emails[tenant.role], "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    await create_person(tenant)
    assert await count_people(tenant) == 1
    assert await count_people(other_tenant) == 0
    grant, mailbox, buyer = unique("grant"), f"{unique('office')}@realty.example.com", f"{unique('buyer')}@example.com"
    await connect(tenant, "NYLAS", grant, mailbox)
    await create_person(tenant, email=buyer)
    notification = nylas_notification("message.created", message(grant, buyer, [mailbox], f"<{uuid.uuid4().hex}@x>"))
    assert (await post_nylas(hooks, notification)).status_code == 200
    [email] = await communications(tenant)
    assert email["channel"] == "EMAIL"
