"""Ready for sharding (issue 13, point 5): after the migrations, every key of a table Citus would distribute by
`organization_id` holds that column, every table is placed (distributed, reference or local, in
`winnerr.db.distribution`), foreign keys only point where Citus allows, the models declare the keys the
migrations made, and migration 0013 keeps the data both ways."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from tests.database import fresh_database
from winnerr.db import models  # noqa: F401  (every table on Base.metadata)
from winnerr.db.base import Base
from winnerr.db.distribution import DISTRIBUTED_TABLES, DISTRIBUTION_COLUMN, LOCAL_TABLES, REFERENCE_TABLES
from winnerr.db.engine import async_url
from winnerr.db.migrate import alembic_config, upgrade
from winnerr.state import AppState

TABLES = """
SELECT c.relname, EXISTS (
    SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = :column AND NOT a.attisdropped)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
WHERE c.relkind IN ('r', 'p')
"""
_COLUMNS = """ARRAY(SELECT a.attname::text FROM unnest({keys}) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_attribute a ON a.attrelid = {table} AND a.attnum = k.attnum ORDER BY k.n)"""
CONSTRAINTS = f"""
SELECT c.conrelid::regclass::text, c.conname, c.contype::text, {_COLUMNS.format(keys="c.conkey", table="c.conrelid")},
    c.confrelid::regclass::text, {_COLUMNS.format(keys="c.confkey", table="c.confrelid")}
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
WHERE c.contype IN ('p', 'f')
"""
UNIQUE_INDEXES = f"""
SELECT t.relname, i.relname, {_COLUMNS.format(keys="x.indkey::int2[]", table="x.indrelid")}
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
WHERE x.indisunique
"""
"""Unique indexes, those of unique constraints and primary keys included; an expression's place has no name."""


@dataclass(frozen=True)
class Key:
    table: str
    name: str
    columns: list[str]


@dataclass(frozen=True)
class ForeignKey(Key):
    target: str
    target_columns: list[str]


@dataclass(frozen=True)
class Catalog:
    """The public schema's tables (and whether each has `organization_id`), primary keys, foreign keys and
    unique indexes, as PostgreSQL has them."""

    tables: dict[str, bool]
    primary_keys: dict[str, Key]
    foreign_keys: list[ForeignKey]
    unique_indexes: list[Key]

    @classmethod
    async def read(cls, connection: AsyncConnection) -> Catalog:
        tables = await connection.execute(text(TABLES), {"column": DISTRIBUTION_COLUMN})
        constraints = (await connection.execute(text(CONSTRAINTS))).all()
        indexes = await connection.execute(text(UNIQUE_INDEXES))
        return cls(
            tables={str(name): bool(has) for name, has in tables},
            primary_keys={row[0]: Key(row[0], row[1], row[3]) for row in constraints if row[2] == "p"},
            foreign_keys=[ForeignKey(row[0], row[1], row[3], row[4], row[5]) for row in constraints if row[2] == "f"],
            unique_indexes=[Key(*row) for row in indexes],
        )


def placement(table: str) -> str:
    if table in DISTRIBUTED_TABLES:
        return "distributed"
    return "reference" if table in REFERENCE_TABLES else "local"


def unplaced(catalog: Catalog) -> list[str]:
    """Tables in no list, in several, or listed but missing: a table must be placed on purpose."""
    lists = [set(DISTRIBUTED_TABLES), set(REFERENCE_TABLES), set(LOCAL_TABLES)]
    listed = set().union(*lists)
    problems = [f"{table}: neither distributed nor a reference or local table" for table in catalog.tables
                if table not in listed]
    problems += [f"{table}: listed but not in the database" for table in listed - set(catalog.tables)]
    problems += [f"{table}: in more than one list" for table in listed if sum(table in each for each in lists) > 1]
    return problems


def key_problems(catalog: Catalog) -> list[str]:
    """Each key Citus could not enforce on a table distributed by `organization_id`."""
    problems = []
    for table in DISTRIBUTED_TABLES:
        if not catalog.tables.get(table, False):
            problems.append(f"{table}: distributed but has no {DISTRIBUTION_COLUMN} column")
        primary = catalog.primary_keys.get(table)
        if primary is None or DISTRIBUTION_COLUMN not in primary.columns:
            problems.append(f"{table}: primary key {primary} does not include {DISTRIBUTION_COLUMN}")
    problems += [
        f"{index.table}: unique index {index.name} {index.columns} does not include {DISTRIBUTION_COLUMN}"
        for index in catalog.unique_indexes
        if index.table in DISTRIBUTED_TABLES and DISTRIBUTION_COLUMN not in index.columns
    ]
    return problems + [problem for key in catalog.foreign_keys for problem in foreign_key_problems(key)]


def foreign_key_problems(key: ForeignKey) -> list[str]:
    """Citus's rules: a foreign key between distributed tables pairs their distribution columns; distributed
    and local tables may reference reference tables, reference tables only each other, and nothing may
    reference a local table but a local table."""
    source, target = placement(key.table), placement(key.target)
    pairs = dict(zip(key.columns, key.target_columns, strict=True))
    if source == target == "distributed" and pairs.get(DISTRIBUTION_COLUMN) != DISTRIBUTION_COLUMN:
        return [f"{key.table}.{key.name}: {key.columns} -> {key.target}{key.target_columns} does not pair"
                f" {DISTRIBUTION_COLUMN} with {DISTRIBUTION_COLUMN}"]
    allowed = {"distributed": {"distributed", "reference"}, "reference": {"reference"}, "local": {"local", "reference"}}
    if target not in allowed[source]:
        return [f"{key.table}.{key.name}: a {source} table cannot reference the {target} table {key.target}"]
    return []


async def read_catalog(app_state: AppState) -> Catalog:
    async with app_state.database.engine.connect() as connection:
        return await Catalog.read(connection)


async def test_every_table_is_distributed_or_a_reference_or_local_table(app_state: AppState) -> None:
    catalog = await read_catalog(app_state)
    assert unplaced(catalog) == []
    assert set(REFERENCE_TABLES) | set(LOCAL_TABLES) >= {"organizations", "refresh_tokens", "presence"}
    assert all(catalog.tables[table] for table in DISTRIBUTED_TABLES)


async def test_every_key_of_a_distributed_table_holds_the_organization(app_state: AppState) -> None:
    catalog = await read_catalog(app_state)
    assert key_problems(catalog) == []
    keyed_by_id = [table for table, key in catalog.primary_keys.items() if table in DISTRIBUTED_TABLES
                   and "id" in key.columns]
    assert len(keyed_by_id) >= 10
    assert all(catalog.primary_keys[table].columns == [DISTRIBUTION_COLUMN, "id"] for table in keyed_by_id)


async def test_the_models_declare_the_primary_keys_the_migrations_made(app_state: AppState) -> None:
    catalog = await read_catalog(app_state)
    for table in Base.metadata.sorted_tables:
        declared = [column.name for column in table.primary_key.columns]
        assert catalog.primary_keys[table.name].columns == declared, table.name


@pytest.fixture
async def scratch(app_state: AppState) -> AsyncIterator[AsyncConnection]:
    """A transaction on the test database that is rolled back: its DDL is never seen by another test."""
    async with app_state.database.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


async def test_a_key_without_the_organization_or_an_unplaced_table_is_found(scratch: AsyncConnection) -> None:
    for statement in (
        "ALTER TABLE tasks DROP CONSTRAINT fk_tasks_organization_id_deal_id_deals",
        "ALTER TABLE deals DROP CONSTRAINT pk_deals CASCADE, ADD CONSTRAINT pk_deals PRIMARY KEY (id)",
        "ALTER TABLE tasks ADD CONSTRAINT fk_tasks_deal_id FOREIGN KEY (deal_id) REFERENCES deals (id) NOT VALID",
        "CREATE UNIQUE INDEX uq_people_id ON people (id)",
        "ALTER TABLE people ADD CONSTRAINT fk_people_token FOREIGN KEY (id) REFERENCES refresh_tokens (id)"
        " NOT VALID",
        "CREATE TABLE notes (organization_id uuid, id uuid PRIMARY KEY)",
    ):
        await scratch.execute(text(statement))
    catalog = await Catalog.read(scratch)
    assert unplaced(catalog) == ["notes: neither distributed nor a reference or local table"]
    found = key_problems(catalog)
    assert any(problem.startswith("deals: primary key") for problem in found), found
    assert any(problem.startswith("tasks.fk_tasks_deal_id: ['deal_id'] -> deals['id']") for problem in found)
    assert any(problem.startswith("people: unique index uq_people_id") for problem in found), found
    assert any("cannot reference the local table refresh_tokens" in problem for problem in found), found


# --- migration 0013 keeps the data, up and down ------------------------------------------------------------

SEED = """
INSERT INTO organizations (id, name) VALUES ('{org}', 'Sharded');
INSERT INTO users (id, email, password_hash, full_name) VALUES ('{user}', 'shard@example.com', 'x', 'Ann');
INSERT INTO memberships (organization_id, user_id, role) VALUES ('{org}', '{user}', 'OWNER');
INSERT INTO pipelines (id, organization_id, name, is_default) VALUES ('{pipeline}', '{org}', 'Sales', true);
INSERT INTO pipeline_stages (id, organization_id, pipeline_id, name, position, probability)
    VALUES ('{stage}', '{org}', '{pipeline}', 'New', 0, 10);
INSERT INTO people (id, organization_id, first_name, last_name, status)
    VALUES ('{person}', '{org}', 'Ann', 'Lee', 'LEAD');
INSERT INTO properties (id, organization_id, address, city, state, zip_code, property_type, status, price)
    VALUES ('{property}', '{org}', '1 Main St', 'Austin', 'TX', '78701', 'CONDO', 'ACTIVE', 100000);
INSERT INTO deals (id, organization_id, title, deal_type, amount, status, probability, person_id, property_id,
    pipeline_id, stage_id)
    VALUES ('{deal}', '{org}', 'Condo', 'LISTING', 100000, 'OPEN', 10, '{person}', '{property}', '{pipeline}',
        '{stage}');
INSERT INTO tasks (id, organization_id, title, person_id, deal_id, assignee_id)
    VALUES ('{task}', '{org}', 'Call', '{person}', '{deal}', '{user}');
INSERT INTO communications (id, organization_id, person_id, channel, direction, occurred_at)
    VALUES ('{communication}', '{org}', '{person}', 'NOTE', 'OUTBOUND', now());
INSERT INTO calendar_events (id, organization_id, title, starts_at, status, person_id, property_id, external_id)
    VALUES ('{event}', '{org}', 'Showing', now(), 'CONFIRMED', '{person}', '{property}', 'evt-1');
INSERT INTO sms_consents (id, organization_id, status, changed_at, source)
    VALUES ('{person}', '{org}', 'OPTED_IN', now(), 'test');
INSERT INTO deal_favorites (organization_id, user_id, deal_id) VALUES ('{org}', '{user}', '{deal}');
INSERT INTO integrations (id, organization_id, provider, external_id, status)
    VALUES ('{integration}', '{org}', 'TWILIO', '+15550100', 'ACTIVE');
INSERT INTO idempotency_keys (id, organization_id, user_id, key, fingerprint, expires_at)
    VALUES ('{key}', '{org}', '{user}', 'k', 'f', now() + interval '1 day')
"""
SEEDED = ("org", "user", "pipeline", "stage", "person", "property", "deal", "task", "communication", "event",
          "integration", "key")
EVERY_ROW = "SELECT " + " + ".join(f"(SELECT count(*) FROM {table})" for table in (
    "people", "properties", "pipelines", "pipeline_stages", "deals", "tasks", "communications", "calendar_events",
    "sms_consents", "deal_favorites", "integrations", "idempotency_keys"))
KEYS = """SELECT string_agg(key, ' | ' ORDER BY key) FROM (
    SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid::regclass::text IN ('people', 'idempotency_keys') AND contype IN ('p', 'u')) AS keys(key)"""
UPGRADED = "idempotency_keys PRIMARY KEY (organization_id, id) | people PRIMARY KEY (organization_id, id)"
DOWNGRADED = "idempotency_keys PRIMARY KEY (id) | people PRIMARY KEY (id) | people UNIQUE (organization_id, id)"
DELETES = (
    "DELETE FROM properties",
    "SELECT row(property_id, organization_id)::text FROM deals",
    "SELECT row(property_id, person_id, organization_id)::text FROM calendar_events",
    "DELETE FROM deals",
    "SELECT row(deal_id, person_id, organization_id)::text FROM tasks",
    "SELECT count(*) FROM deal_favorites",
)
"""A property and a deal go: what referenced them is cleared (SET NULL of the one column) or goes (CASCADE)."""


async def _run(url: str, statements: list[str]) -> list[object]:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            results = [await connection.execute(text(statement)) for statement in statements]
            return [result.scalar() if result.returns_rows else None for result in results]
    finally:
        await engine.dispose()


def run(url: str, *statements: str) -> list[object]:
    """Run the statements in one transaction; each one's first value (None for one that returns no rows)."""
    return asyncio.run(_run(url, [statement for statement in statements if statement.strip()]))


@pytest.fixture(scope="module")
def database_at_0012() -> Iterator[str]:
    """A database of its own, migrated to the revision before 0013."""
    with fresh_database() as url:
        upgrade(url, "0012")
        yield url


def test_migration_0013_keeps_the_data_up_and_down(database_at_0012: str) -> None:
    url, ids = database_at_0012, {name: uuid.uuid4() for name in SEEDED}
    run(url, *SEED.format(**ids).split(";"))
    upgrade(url, "0013")
    assert run(url, EVERY_ROW, KEYS) == [12, UPGRADED]
    command.downgrade(alembic_config(url), "0012")
    assert run(url, EVERY_ROW, KEYS) == [12, DOWNGRADED]
    upgrade(url, "0013")
    assert run(url, EVERY_ROW, KEYS) == [12, UPGRADED]
    # The foreign keys came back with their actions: SET NULL clears the reference and keeps the organization.
    org, person = ids["org"], ids["person"]
    assert run(url, *DELETES) == [None, f"(,{org})", f"(,{person},{org})", None, f"(,{person},{org})", 0]
