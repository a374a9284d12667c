"""The benchmarks' data set: one organization with 100k people, 20k properties, 50k deals, 1M communications.

Everything is made in PostgreSQL with `INSERT … SELECT … FROM generate_series`, so no row passes through
Python and the whole set takes well under two minutes. Values are deterministic functions of the row number:
people have names from 40 × 50 first and last names (so searches and suggestions have realistic hit counts),
e-mails, phones, cities, tags, statuses and a comma in every address (quoted CSV cells); deals spread over the
default pipeline's stages, point at a person and (four in five) a property; each person has 10 communications.

    .venv/bin/python bench/dataset.py [--database winnerr_bench_dataset] [--scale 1.0]

creates (or recreates) the database, migrates it, creates the organization with `winnerr create-org` and
prints the time each table took. `bench/scenarios.py` calls `make()` the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

import asyncpg
from common import admin, bench_env, winnerr

from winnerr.db.migrate import migrate
from winnerr.settings import DEFAULT_ROLE

OWNER_EMAIL = "bench-owner@example.com"
FIRST_NAMES = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
]
CITIES = [
    "Austin",
    "Dallas",
    "Houston",
    "San Antonio",
    "Fort Worth",
    "El Paso",
    "Arlington",
    "Corpus Christi",
    "Plano",
    "Laredo",
]


@dataclass(frozen=True)
class Sizes:
    people: int = 100_000
    properties: int = 20_000
    deals: int = 50_000
    communications_per_person: int = 10

    def scaled(self, factor: float) -> Sizes:
        people, properties, deals = (max(1, round(n * factor)) for n in (self.people, self.properties, self.deals))
        return Sizes(people, properties, deals, self.communications_per_person)


PEOPLE = """
INSERT INTO people (organization_id, first_name, last_name, email, phone, address, city, state, zip_code, source,
                    status, last_contact_at, tags, created_at)
SELECT $1, first_names[1 + n % array_length(first_names, 1)], last_names[1 + (n / 7) % array_length(last_names, 1)],
       lower(first_names[1 + n % array_length(first_names, 1)]) || '.' || n || '@example.com',
       '+1512555' || lpad((n % 10000)::text, 4, '0'), n || ' Main Street, Apt ' || (n % 20),
       cities[1 + n % array_length(cities, 1)], 'TX', lpad((78700 + n % 100)::text, 5, '0'),
       (ARRAY['WEBSITE', 'REFERRAL', 'SOCIAL_MEDIA', 'COLD_CALL'])[1 + n % 4]::lead_source,
       (ARRAY['PROSPECT', 'LEAD', 'QUALIFIED', 'ACTIVE_CLIENT', 'PAST_CLIENT'])[1 + n % 5]::person_status,
       CASE WHEN n % 3 = 0 THEN now() - make_interval(days => n % 365) END,
       CASE WHEN n % 3 = 0 THEN ARRAY['vip', 'investor'] ELSE '{}' END, now() - make_interval(secs => n)
FROM generate_series($2::int, $3::int) AS n, (SELECT $4::text[] AS first_names, $5::text[] AS last_names,
                                                     $6::text[] AS cities) AS words
"""
PROPERTIES = """
INSERT INTO properties (organization_id, address, city, state, zip_code, property_type, price, bedrooms, bathrooms,
                        square_feet, status, description, created_at)
SELECT $1, n || ' Oak Avenue', cities[1 + n % array_length(cities, 1)], 'TX', lpad((78700 + n % 100)::text, 5, '0'),
       (ARRAY['SINGLE_FAMILY', 'CONDO', 'TOWNHOUSE'])[1 + n % 3]::property_type, 100000 + n * 10.5, 1 + n % 5,
       CASE WHEN n % 4 = 0 THEN NULL ELSE 1 + (n % 3) * 0.5 END, 800 + n % 3000,
       (ARRAY['ACTIVE', 'PENDING', 'SOLD'])[1 + n % 3]::property_status, 'A home with ' || 1 + n % 5 || ' bedrooms',
       now() - make_interval(secs => n)
FROM generate_series(1, $2::int) AS n, (SELECT $3::text[] AS cities) AS words
"""
DEALS = """
WITH persons AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM people WHERE organization_id = $1),
     homes AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM properties WHERE organization_id = $1),
     stages AS (SELECT s.id, s.pipeline_id, s.probability, row_number() OVER (ORDER BY s.position) - 1 AS n,
                       count(*) OVER () AS total
                FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
                WHERE p.organization_id = $1 AND p.is_default)
INSERT INTO deals (organization_id, title, deal_type, amount, status, probability, person_id, property_id,
                   pipeline_id, stage_id, created_at)
SELECT $1, 'Deal ' || i, (ARRAY['LISTING', 'BUYER_REPRESENTATION', 'RENTAL'])[1 + i % 3]::deal_type,
       1000 + i * 3.25, 'OPEN', stages.probability, persons.id, CASE WHEN i % 5 = 0 THEN NULL ELSE homes.id END,
       stages.pipeline_id, stages.id, now() - make_interval(secs => i)
FROM generate_series(1, $2::int) AS i
JOIN stages ON stages.n = i % stages.total
JOIN persons ON persons.n = 1 + i % $3::int
JOIN homes ON homes.n = 1 + i % $4::int
"""
COMMUNICATIONS = """
INSERT INTO communications (organization_id, person_id, channel, direction, subject, body, occurred_at)
SELECT $1, people.id, (ARRAY['CALL', 'SMS', 'EMAIL', 'NOTE', 'MEETING'])[1 + k % 5]::communication_channel,
       (ARRAY['INBOUND', 'OUTBOUND'])[1 + k % 2]::direction, 'Follow-up ' || k, 'Talked about the listing',
       now() - make_interval(hours => k * 24 + (abs(hashtext(people.id::text)) % 24))
FROM people, generate_series(1, $2::int) AS k
WHERE people.organization_id = $1
"""


BULK_LOAD = """
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET session_replication_role = replica;  -- no foreign-key triggers: the rows are consistent by construction
"""
DEFERRABLE_INDEXES = """
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
WHERE i.indrelid = ANY(SELECT t::regclass FROM unnest($1::text[]) AS t)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""
"""The indexes no constraint needs: built once after the rows instead of row by row (several times faster)."""


Steps = dict[str, tuple[str, tuple[object, ...]]]


async def fill(database_url: str, organization_id: str, sizes: Sizes) -> dict[str, float]:
    """Fill the organization; the seconds each table took (and the indexes, and VACUUM ANALYZE)."""
    return await load(
        database_url,
        organization_id,
        {
            "people": (PEOPLE, (1, sizes.people, FIRST_NAMES, LAST_NAMES, CITIES)),
            "properties": (PROPERTIES, (sizes.properties, CITIES)),
            "deals": (DEALS, (sizes.deals, sizes.people, sizes.properties)),
            "communications": (COMMUNICATIONS, (sizes.communications_per_person,)),
        },
    )


async def add_people(database_url: str, organization_id: str, first: int, last: int) -> dict[str, float]:
    """People number `first` to `last` (as `fill` makes them) added to the organization."""
    return await load(
        database_url,
        organization_id,
        {
            "people": (PEOPLE, (first, last, FIRST_NAMES, LAST_NAMES, CITIES)),
        },
    )


async def load(database_url: str, organization_id: str, steps: Steps) -> dict[str, float]:
    """Run each step's statement (on table `step`) with the indexes no constraint needs dropped before and built
    after; the seconds each took."""
    seconds: dict[str, float] = {}
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(BULK_LOAD)
        indexes = await connection.fetch(DEFERRABLE_INDEXES, list(steps))
        await connection.execute("".join(f"DROP INDEX {index['name']};" for index in indexes))
        for table, (statement, arguments) in steps.items():
            started = time.perf_counter()
            await connection.execute(statement, organization_id, *arguments)
            seconds[table] = time.perf_counter() - started
        started = time.perf_counter()
        for index in indexes:
            await connection.execute(index["definition"])
        seconds["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        seconds["vacuum analyze"] = time.perf_counter() - started
    finally:
        await connection.close()
    return seconds


LIFTED_LIMITS = {
    "RATE_LIMIT_API": "100000000/minute",
    "RATE_LIMIT_EXPORTS": "100000/minute",
    "COST_BUDGET": "1000000000/minute",
}
"""The per-member limits, lifted for the benchmarks."""


@dataclass(frozen=True)
class Dataset:
    database_url: str
    env: dict[str, str]
    organization_id: str
    token: str
    seconds: dict[str, float]


async def make(database: str, sizes: Sizes) -> Dataset:
    """A fresh database `database`, migrated, with the organization filled; its owner's token."""
    await admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    await admin(f'CREATE DATABASE "{database}"')
    database_url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    await asyncio.to_thread(migrate, database_url, DEFAULT_ROLE)
    env = bench_env(database_url, **LIFTED_LIMITS)
    organization_id = winnerr(
        env, "create-org", "--name", "Bench Realty", "--owner-email", OWNER_EMAIL, "--password", "bench-password"
    )
    token = winnerr(env, "token", "--email", OWNER_EMAIL, "--ttl", "7200")
    seconds = await fill(database_url, organization_id, sizes)
    return Dataset(database_url, env, organization_id, token, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", default="winnerr_bench_dataset")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (0.1: a tenth)")
    args = parser.parse_args()
    sizes = Sizes().scaled(args.scale)
    dataset = asyncio.run(make(args.database, sizes))
    total = sum(dataset.seconds.values())
    print(f"{sizes} into {args.database} (organization {dataset.organization_id}):")
    for step, seconds in dataset.seconds.items():
        print(f"  {step:16} {seconds:6.1f} s")
    print(f"  {'total':16} {total:6.1f} s")


if __name__ == "__main__":
    main()
