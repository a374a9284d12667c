"""People search and suggest latency at 100k people: end to end over HTTP, and the SQL alone.

Run by hand (not part of the tests), with the local PostgreSQL and its contrib (pg_trgm) at
postgresql://postgres@127.0.0.1:5432/postgres:

    .venv/bin/python bench/search_people.py [--people 100000] [--others 10000] [--requests 200] [--keep]

It creates the database `winnerr_bench_search` (dropping any previous one), migrates it, creates two
organizations with `winnerr create-org`, inserts the people in SQL, then:

- starts `winnerr serve` and times sequential GraphQL requests over HTTP (httpx, keep-alive);
- runs the resolvers in-process to capture the exact SQL they issue, then for each statement reports
  EXPLAIN (ANALYZE, BUFFERS) and the latency of the statement run as an asyncpg prepared statement
  (as the app runs it, so after five runs PostgreSQL may switch to a generic plan: the report says which);

and prints the figures as Markdown. The server is stopped and the database dropped at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
from common import SERVER_URL, admin, free_port, winnerr
from sqlalchemy import event
from sqlalchemy.engine import make_url

from winnerr.auth.principal import Principal
from winnerr.context import Context
from winnerr.db.database import Database
from winnerr.db.enums import Role
from winnerr.db.migrate import migrate
from winnerr.db.scope import TenantScope
from winnerr.resolvers.people import PersonSortField, list_people, suggest_people
from winnerr.resolvers.querying import SortDirection
from winnerr.settings import DEFAULT_ROLE

DATABASE = "winnerr_bench_search"
JWT_SECRET = "bench-secret-" + "x" * 40
PASSWORD = "bench-password"
OWNER = "owner@bench.example.com"
OTHER_OWNER = "owner@other.example.com"
WARMUP = 20
SQL_WARMUP = 10  # more than five runs: PostgreSQL then decides between a custom and the generic plan
EXPLAIN_RUNS = 5
SEED = 0.42


def words(text: str) -> list[str]:
    return text.split()


# Roughly by popularity: people are drawn with a skew towards the front of each list.
FIRST_NAMES = words("""
James Mary Michael Patricia John Jennifer Robert Linda David Elizabeth William Barbara Richard Susan Joseph
Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret
Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa
George Deborah Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia Jacob Amy
Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry Anna Justin Pamela Scott Nicole
Brandon Samantha Benjamin Katherine Samuel Christine Gregory Helen Alexander Debra Patrick Rachel Frank Carolyn
Raymond Janet Jack Maria Dennis Catherine Jerry Heather Tyler Diane Aaron Olivia Jose Julie Adam Joyce Nathan
Victoria Henry Ruth Zachary Virginia Douglas Lauren Peter Kelly Kyle Christina Noah Joan Ethan Evelyn Jeremy
Judith Walter Andrea Christian Hannah Keith Megan Roger Cheryl Terry Jacqueline Austin Martha Sean Madison Gerald
Teresa Carl Gloria Harold Sara Dylan Janice Arthur Ann Lawrence Kathryn Jordan Abigail Jesse Sophia Bryan Frances
Billy Jean Bruce Alice Gabriel Judy Joe Isabella Logan Julia Alan Grace Juan Amber Albert Denise Willie Danielle
Elijah Marilyn Wayne Beverly Randy Charlotte Vincent Natalie Mason Theresa Roy Diana Ralph Brittany Bobby Doris
Russell Kayla Bradley Alexis Philip Lori Eugene Marie Jenna Jenny Jeanette Luis Carlos Miguel Priya Wei Mei
Hiroshi Aisha Fatima Omar Jennie
""")

LAST_NAMES = words("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson
Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell
Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy
Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson
Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross
Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez
Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald
Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd
Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan
Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman
Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada
Ortega Watkins Greene Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin
Dominguez Carr Lawson Jacobs OBrien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert
Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez
Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May
Holland Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade
Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala Lowe Frazier
Jennings Smithson
""")

# City, state, area code (a person's phone is in their city's area code) and a zip code prefix.
CITIES = [
    ("Austin", "TX", "512", "787"),
    ("Dallas", "TX", "214", "752"),
    ("Houston", "TX", "713", "770"),
    ("San Antonio", "TX", "210", "782"),
    ("Denver", "CO", "303", "802"),
    ("Phoenix", "AZ", "602", "850"),
    ("Seattle", "WA", "206", "981"),
    ("Portland", "OR", "503", "972"),
    ("San Diego", "CA", "619", "921"),
    ("Los Angeles", "CA", "213", "900"),
    ("San Francisco", "CA", "415", "941"),
    ("Chicago", "IL", "312", "606"),
    ("Atlanta", "GA", "404", "303"),
    ("Miami", "FL", "305", "331"),
    ("Tampa", "FL", "813", "336"),
    ("Orlando", "FL", "407", "328"),
    ("Nashville", "TN", "615", "372"),
    ("Charlotte", "NC", "704", "282"),
    ("Boston", "MA", "617", "021"),
    ("New York", "NY", "212", "100"),
]
TAGS = words("buyer seller investor first-time-buyer relocation luxury rental vip referral downsizing")
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Pine Rd", "Lakeview Dr", "Park Blvd", "Hill St"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com", "proton.me", "comcast.net"]

# One INSERT ... SELECT: $1 organization, $2 how many, then the vocabularies. Random but reproducible
# (setseed first, on the same connection). E-mails are unique per organization (first.last + a number).
INSERT_PEOPLE = """
WITH g AS (
    SELECT n,
        1 + floor(power(random(), 1.6) * cardinality($3::text[]))::int AS fi,
        1 + floor(power(random(), 1.6) * cardinality($4::text[]))::int AS li,
        1 + floor(random() * cardinality($5::text[]))::int AS ci,
        1 + floor(random() * 10)::int AS t1,
        1 + floor(random() * 9)::int AS t2,
        random() AS r_tags, random() AS r_email, random() AS r_phone, random() AS r_status,
        random() AS r_source, random() AS r_contact, random() AS r_created
    FROM generate_series(1, $2::int) AS n
)
INSERT INTO people (organization_id, first_name, last_name, email, phone, address, city, state, zip_code,
                    source, status, last_contact_at, tags, created_at, updated_at)
SELECT $1::uuid, ($3::text[])[fi], ($4::text[])[li],
    CASE WHEN r_email < 0.05 THEN NULL ELSE lower(
        CASE n % 3 WHEN 0 THEN ($3::text[])[fi] || '.' || ($4::text[])[li]
                   WHEN 1 THEN left(($3::text[])[fi], 1) || ($4::text[])[li]
                   ELSE ($3::text[])[fi] || '_' || ($4::text[])[li] END
        || n || '@' || ($10::text[])[1 + n % cardinality($10::text[])]) END,
    CASE WHEN r_phone < 0.1 THEN NULL
         ELSE '+1' || ($7::text[])[ci] || '555' || lpad(floor(random() * 10000)::int::text, 4, '0') END,
    (1 + floor(random() * 9899))::int || ' ' || ($9::text[])[1 + n % cardinality($9::text[])],
    ($5::text[])[ci], ($6::text[])[ci], ($8::text[])[ci] || lpad(floor(random() * 100)::int::text, 2, '0'),
    CASE WHEN r_source < 0.1 THEN NULL
         ELSE (ARRAY['WEBSITE', 'REFERRAL', 'SOCIAL_MEDIA', 'COLD_CALL'])[1 + floor(r_source * 4)::int]
    END::lead_source,
    CASE WHEN r_status < 0.35 THEN 'PROSPECT' WHEN r_status < 0.65 THEN 'LEAD' WHEN r_status < 0.8 THEN 'QUALIFIED'
         WHEN r_status < 0.9 THEN 'ACTIVE_CLIENT' ELSE 'PAST_CLIENT' END::person_status,
    CASE WHEN r_contact < 0.2 THEN NULL ELSE now() - r_contact * interval '365 days' END,
    CASE WHEN r_tags < 0.3 THEN '{}'::text[]
         WHEN r_tags < 0.8 THEN ARRAY[($11::text[])[t1]]
         ELSE ARRAY[($11::text[])[t1], ($11::text[])[1 + (t1 + t2 - 1) % 10]] END,
    now() - r_created * interval '1095 days', now() - r_created * interval '1095 days'
FROM g
"""

PERSON_FIELDS = "id firstName lastName email phone city status"
PEOPLE = f"""
query People($search: String, $filter: PersonFilter, $sort: PersonSort, $limit: Int) {{
  people(search: $search, filter: $filter, sort: $sort, limit: $limit) {{
    items {{ {PERSON_FIELDS} }}
    pagination {{ total }}
  }}
}}"""
SUGGEST = """
query Suggest($prefix: String!) {
  suggestPeople(prefix: $prefix) { id fullName email }
}"""


@dataclass(frozen=True)
class Case:
    label: str
    query: str
    variables: dict[str, Any]
    # the same request made in-process, to capture its SQL (None: no SQL of its own)
    resolver: Callable[[Context], Any] | None


def people_case(label: str, search: str | None, **extra: Any) -> Case:
    graphql_vars: dict[str, Any] = {"search": search, "limit": 20}
    filters: dict[str, Any] = {}
    sort: tuple[PersonSortField, SortDirection] | None = None
    if "status" in extra:
        graphql_vars["filter"] = {"status": extra["status"]}
        filters = {"status": extra["status"]}
    if "sort" in extra:
        sort_field, direction = extra["sort"]
        graphql_vars["sort"] = {"field": sort_field, "direction": direction}
        sort = (PersonSortField(sort_field), SortDirection(direction))

    def run(ctx: Context) -> Any:
        return list_people(ctx, search=search, filters=filters, sort=sort, page=None, limit=20)

    return Case(label, PEOPLE, graphql_vars, run)


def suggest_case(prefix: str) -> Case:
    def run(ctx: Context) -> Any:
        return suggest_people(ctx, prefix, None)

    return Case(f'suggestPeople(prefix: "{prefix}")', SUGGEST, {"prefix": prefix}, run)


CASES = [
    Case("{ __typename } (no resolver, no SQL: the HTTP + auth + GraphQL floor)", "{ __typename }", {}, None),
    people_case("people(limit: 20) (baseline, newest first)", None),
    people_case('people(search: "jen")', "jen"),
    people_case('people(search: "jennifer lop")', "jennifer lop"),
    people_case('people(search: "512-555") (phone)', "512-555"),
    people_case(
        'people(search: "jen", filter: {status: [LEAD]}, sort: {field: NAME, direction: ASC})',
        "jen",
        status=["LEAD"],
        sort=("NAME", "ASC"),
    ),
    suggest_case("jen"),
    suggest_case("jenifer"),
    suggest_case("smi"),
]


@dataclass
class Latency:
    samples: list[float] = field(default_factory=list)  # milliseconds

    def summary(self) -> tuple[float, float, float, float]:
        """p50, p95, p99, mean."""
        cuts = statistics.quantiles(self.samples, n=100, method="inclusive")
        return cuts[49], cuts[94], cuts[98], statistics.fmean(self.samples)


@dataclass
class StatementReport:
    sql: str
    params: Sequence[Any]
    explain_ms: float = 0.0
    planning_ms: float = 0.0
    plan: list[str] = field(default_factory=list)
    prepared: Latency = field(default_factory=Latency)
    generic: bool = False
    generic_plan: list[str] = field(default_factory=list)
    generic_ms: float = 0.0


# ---------------------------------------------------------------------------------------------------------- setup


def database_url() -> str:
    return make_url(SERVER_URL).set(database=DATABASE).render_as_string(hide_password=False)


async def connect(url: str) -> asyncpg.Connection:
    parsed = make_url(url)
    connection: asyncpg.Connection = await asyncpg.connect(
        user=parsed.username,
        password=parsed.password or None,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
    )
    return connection


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "WINNERR_", "JWT_"))}
    env.update(DATABASE_URL=database_url(), JWT_SECRET=JWT_SECRET, WINNERR_DATA_DIR=str(data_dir), **extra)
    return env


async def insert_people(organization_id: str, count: int, seed: float) -> None:
    connection = await connect(database_url())
    try:
        await connection.execute(f"SELECT setseed({seed})")
        await connection.execute(
            INSERT_PEOPLE,
            organization_id,
            count,
            FIRST_NAMES,
            LAST_NAMES,
            [c[0] for c in CITIES],
            [c[1] for c in CITIES],
            [c[2] for c in CITIES],
            [c[3] for c in CITIES],
            STREETS,
            DOMAINS,
            TAGS,
        )
    finally:
        await connection.close()


async def vacuum_analyze() -> dict[str, str]:
    """VACUUM (ANALYZE): fresh statistics, and the GIN pending lists merged as autovacuum would."""
    connection = await connect(database_url())
    try:
        await connection.execute("VACUUM (ANALYZE) people")
        sizes = await connection.fetch(
            "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'people'::regclass ORDER BY 1"
        )
        table = await connection.fetchval("SELECT pg_size_pretty(pg_total_relation_size('people'))")
    finally:
        await connection.close()
    return {"people (total)": str(table)} | {row["relname"]: row["size"] for row in sizes}


@contextmanager
def server(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    command = [str(Path(sys.executable).parent / "winnerr"), "serve", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"winnerr serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base_url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"winnerr serve did not get ready:\n{log.read_text()}")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ------------------------------------------------------------------------------------------------------- over HTTP


def describe(data: dict[str, Any]) -> str:
    """What a case answered: the total and the first names (to check the results make sense)."""
    if "people" in data:
        items = data["people"]["items"]
        names = ", ".join(f"{p['firstName']} {p['lastName']}" for p in items[:3])
        return f"{data['people']['pagination']['total']} matches: {names}…"
    if "suggestPeople" in data:
        return ", ".join(p["fullName"] for p in data["suggestPeople"][:4]) + "…"
    return "-"


def time_http(base_url: str, token: str, requests: int) -> list[tuple[Case, Latency, str]]:
    results = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        for case in CASES:
            body = {"query": case.query, "variables": case.variables}
            answer: dict[str, Any] = {}
            latency = Latency()
            for run in range(WARMUP + requests):
                started = time.perf_counter()
                response = client.post("/graphql", json=body)
                elapsed = (time.perf_counter() - started) * 1000
                answer = response.json()
                if response.status_code != 200 or answer.get("errors"):
                    raise RuntimeError(f"{case.label}: {response.status_code} {answer}")
                if run >= WARMUP:
                    latency.samples.append(elapsed)
            results.append((case, latency, describe(answer["data"])))
            print(f"  HTTP {case.label}: p50 {latency.summary()[0]:.1f} ms", file=sys.stderr)
    return results


# --------------------------------------------------------------------------------------------------------- the SQL


@dataclass
class ResolverContext:
    """What the people resolvers use of a request's Context: the principal, the tenant scope, the database."""

    principal: Principal
    database: Database
    scope: TenantScope


async def capture_sql(case: Case, principal: Principal, database: Database) -> list[tuple[str, Any]]:
    """The statements on `people` that the case's resolver issues, with their parameters."""
    assert case.resolver is not None
    captured: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "people" in statement and "pg_extension" not in statement:
            captured.append((statement, parameters))

    await database.has_trigrams()  # asked once per process: not part of a request's SQL
    session = database.sessions()
    ctx = ResolverContext(principal, database, TenantScope(session, principal.organization_id))
    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        await case.resolver(cast(Context, ctx))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
        await session.rollback()
        await session.close()
    return captured


def sql_literal(value: Any) -> str:
    if isinstance(value, bool | int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


TIME = re.compile(r"(Planning|Execution) Time: ([\d.]+) ms")


def plan_times(plan: list[str]) -> tuple[float, float]:
    found = {m.group(1): float(m.group(2)) for line in plan if (m := TIME.search(line))}
    return found.get("Planning", 0.0), found.get("Execution", 0.0)


async def measure_statement(
    connection: asyncpg.Connection, sql: str, params: Sequence[Any], runs: int
) -> StatementReport:
    report = StatementReport(sql, params)
    executions = []
    for _ in range(EXPLAIN_RUNS):
        rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *params)
        report.plan = [row[0] for row in rows]
        planning, execution = plan_times(report.plan)
        executions.append((execution, planning))
    report.explain_ms, report.planning_ms = sorted(executions)[len(executions) // 2]  # the median run

    # As the app runs it: a named prepared statement, executed again and again.
    statement = await connection.prepare(sql)
    for run in range(SQL_WARMUP + runs):
        started = time.perf_counter()
        await statement.fetch(*params)
        elapsed = (time.perf_counter() - started) * 1000
        if run >= SQL_WARMUP:
            report.prepared.samples.append(elapsed)
    counts = await connection.fetchrow(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", sql
    )
    report.generic = counts is not None and counts["generic_plans"] > 0
    if report.generic:
        await connection.execute(f"PREPARE bench_generic AS {sql}")
        try:
            await connection.execute("SET plan_cache_mode = force_generic_plan")
            arguments = ", ".join(sql_literal(p) for p in params)
            rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic({arguments})")
            report.generic_plan = [row[0] for row in rows]
            report.generic_ms = plan_times(report.generic_plan)[1]
        finally:
            await connection.execute("RESET plan_cache_mode")
            await connection.execute("DEALLOCATE bench_generic")
    return report


async def time_sql(owner_email: str, runs: int) -> list[tuple[Case, list[StatementReport]]]:
    url = database_url()
    database = Database.connect(url)
    connection = await connect(url)
    try:
        user_id, organization_id = await connection.fetchrow(
            "SELECT u.id, m.organization_id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = $1",
            owner_email,
        )
        principal = Principal(user_id, owner_email, organization_id, Role.OWNER, datetime.now(UTC) + timedelta(hours=1))

        results = []
        for case in CASES:
            if case.resolver is None:
                continue
            statements = await capture_sql(case, principal, database)
            reports = [await measure_statement(connection, sql, params, runs) for sql, params in statements]
            results.append((case, reports))
            print(f"  SQL  {case.label}: {[round(r.explain_ms, 2) for r in reports]} ms", file=sys.stderr)
        return results
    finally:
        await connection.close()
        await database.close()


# ---------------------------------------------------------------------------------------------------------- report

KEY_LINE = re.compile(r"(Scan|Sort|Limit|Aggregate|Join|Loop|BitmapOr|BitmapAnd|Rows Removed|Heap Blocks|Method)")


def key_lines(plan: list[str]) -> list[str]:
    return [line.rstrip() for line in plan if KEY_LINE.search(line)]


@dataclass
class Machine:
    """Where and when: the figures depend on it (and on whatever else the machine was doing)."""

    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    cores: int = field(default_factory=lambda: os.cpu_count() or 0)
    python: str = field(default_factory=platform.python_version)
    postgres: str = ""
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def describe(self) -> str:
        def load(values: tuple[float, float, float]) -> str:
            return " / ".join(f"{value:.2f}" for value in values)

        return (
            f"{self.started:%Y-%m-%d %H:%M} UTC, {self.cores} cores, {platform.machine()}, Python {self.python}, "
            f"PostgreSQL {self.postgres}; load average (1/5/15 min) {load(self.load_before)} before, "
            f"{load(self.load_after)} after."
        )


async def postgres_version() -> str:
    connection = await connect(SERVER_URL)
    try:
        version: str = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    return version.split()[0]


def markdown(
    machine: Machine,
    sizes: dict[str, str],
    people: int,
    others: int,
    requests: int,
    http: list[tuple[Case, Latency, str]],
    sql: list[tuple[Case, list[StatementReport]]],
) -> str:
    out = [
        machine.describe(),
        "",
        f"{people:,} people in the measured organization, {others:,} in a second one; {requests} sequential "
        f"requests per case after {WARMUP} warm-up ones (httpx, keep-alive, one uvicorn worker).",
        "",
        "Sizes: " + ", ".join(f"{name} {size}" for name, size in sizes.items()),
        "",
        "End to end over HTTP (ms):",
        "",
        "| request | p50 | p95 | p99 | mean | answer |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for case, latency, answer in http:
        p50, p95, p99, mean = latency.summary()
        out.append(f"| `{case.label}` | {p50:.1f} | {p95:.1f} | {p99:.1f} | {mean:.1f} | {answer} |")
    out += [
        "",
        "The SQL alone: each statement the resolver issues, EXPLAIN (ANALYZE, BUFFERS) execution time (median of "
        f"{EXPLAIN_RUNS}), then the statement run {requests} times as an asyncpg prepared statement, as the app "
        "runs it (client-side, so with the round trip; plan = the one PostgreSQL settled on after five runs):",
        "",
        "| request | statement | EXPLAIN exec | planning | prepared p50 | prepared p95 | plan |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for case, reports in sql:
        for report in reports:
            kind = "count" if report.sql.lstrip().upper().startswith("SELECT COUNT") else "rows"
            p50, p95, _, _ = report.prepared.summary()
            plan = f"generic ({report.generic_ms:.2f} ms)" if report.generic else "custom"
            out.append(
                f"| `{case.label}` | {kind} | {report.explain_ms:.2f} | {report.planning_ms:.2f} | {p50:.2f} | "
                f"{p95:.2f} | {plan} |"
            )
    out += ["", "Plans (key lines):", ""]
    for case, reports in sql:
        for report in reports:
            kind = "count" if report.sql.lstrip().upper().startswith("SELECT COUNT") else "rows"
            out += [f"`{case.label}` ({kind}):", "", "```", *key_lines(report.plan)]
            if report.generic:
                out += ["-- generic plan (what the prepared statement runs):", *key_lines(report.generic_plan)]
            out += ["```", ""]
    return "\n".join(out)


def full_plans(sql: list[tuple[Case, list[StatementReport]]]) -> str:
    out = []
    for case, reports in sql:
        for report in reports:
            out += [f"==== {case.label}", report.sql, f"-- params: {list(report.params)!r}", *report.plan]
            if report.generic:
                out += ["-- generic plan:", *report.generic_plan]
            out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=10_000, help="people of a second organization")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--plans", type=Path, default=None, help="write the full plans and SQL to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    machine = Machine(postgres=asyncio.run(postgres_version()))

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="winnerr-bench-") as data_dir:
            migrate(database_url(), DEFAULT_ROLE)
            env = cli_env(Path(data_dir))
            started = time.perf_counter()
            organization = winnerr(
                env, "create-org", "--name", "Bench Realty", "--owner-email", OWNER, "--password", PASSWORD
            )
            other = winnerr(
                env, "create-org", "--name", "Other Realty", "--owner-email", OTHER_OWNER, "--password", PASSWORD
            )
            asyncio.run(insert_people(str(uuid.UUID(organization)), args.people, SEED))
            asyncio.run(insert_people(str(uuid.UUID(other)), args.others, -SEED))
            sizes = asyncio.run(vacuum_analyze())
            print(f"  seeded in {time.perf_counter() - started:.1f} s: {sizes}", file=sys.stderr)

            token = winnerr(env, "token", "--email", OWNER, "--ttl", "86400")
            serve_env = cli_env(Path(data_dir), RATE_LIMIT_API="1000000/minute", WINNERR_LOG_LEVEL="warning")
            with server(serve_env, Path(data_dir) / "serve.log") as base_url:
                http = time_http(base_url, token, args.requests)
            sql = asyncio.run(time_sql(OWNER, args.requests))
    finally:
        if not args.keep:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))

    machine.load_after = os.getloadavg()
    if args.plans is not None:
        args.plans.write_text(full_plans(sql))
    print(markdown(machine, sizes, args.people, args.others, args.requests, http, sql))


if __name__ == "__main__":
    main()
