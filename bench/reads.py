"""Benchmark of reads: the compiled path and the resolver path against a raw endpoint serving the same JSON.

Run by hand (not part of the tests), with the local PostgreSQL on 127.0.0.1:5432 and `wrk` installed
(`apt-get install -y wrk`; orjson for the baseline: `pip install orjson`):

    .venv/bin/python bench/reads.py [--people 100000 --properties 20000 --deals 50000] [--seconds 5] [--rounds 3]
        [--paths compiled,resolvers] [--database winnerr_bench_reads]

It creates the database `winnerr_bench_reads` (or `--database`, by default `$BENCH_READS_DATABASE`, for runs that
could overlap), migrates it, creates an organization with `winnerr create-org`, fills it with `generate_series`,
then starts, each on one worker, `winnerr serve --workers 1` with COMPILED_READS=on, the same with
COMPILED_READS=off (`--paths` keeps one of the two), and the baseline (a raw Starlette + asyncpg + orjson endpoint
running one hand-written SQL join and returning the same JSON), and loads them one at a time, in turn, for
`--rounds` rounds (`wrk -t1 -c8`, GET /graphql?query=…): a busy moment of a shared machine weighs on all alike.
Every ratio is the median of a path's rounds over the baseline's run just before each; req/s and latencies are
each path's median round. Scenarios: B1 `deal(id)` with its
person and property; B2 `deals(limit: 100)` with the same. The per-member API limit is lifted with
`RATE_LIMIT_API`, the cost budget with `COST_BUDGET`; a run with any answer that is not 200 stops. The table is
printed; `--results` appends it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from common import WINNERR, admin, free_port, wait_until_up, winnerr

from winnerr.db.migrate import migrate
from winnerr.settings import DEFAULT_ROLE

DATABASE = os.environ.get("BENCH_READS_DATABASE", "winnerr_bench_reads")
PATHS = ("compiled", "resolvers")
OWNER_EMAIL = "bench-owner@example.com"
CONCURRENCY = 8

SELECTION = """id title amount status probability
    person { id firstName lastName email phone }
    property { id address city state price bedrooms bathrooms }"""
B1 = "query($id: ID!) { deal(id: $id) { " + SELECTION + " } }"
B2 = "query { deals(limit: 100) { items { " + SELECTION + " } } }"

FILL = [
    """INSERT INTO people (organization_id, first_name, last_name, email, phone, city, state, status)
       SELECT $1, 'First' || n, 'Last' || n, 'person' || n || '@example.com',
              '+1512555' || lpad((n % 10000)::text, 4, '0'), 'Austin', 'TX', 'LEAD'
       FROM generate_series(1, $2::int) AS n""",
    """INSERT INTO properties (organization_id, address, city, state, zip_code, property_type, price, bedrooms,
                               bathrooms, status)
       SELECT $1, n || ' Main Street', 'Austin', 'TX', '78701', 'SINGLE_FAMILY', 100000 + n * 10.5, 1 + n % 5,
              CASE WHEN n % 4 = 0 THEN NULL ELSE 1 + (n % 3) * 0.5 END, 'ACTIVE'
       FROM generate_series(1, $2::int) AS n""",
]
FILL_DEALS = """
WITH persons AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM people WHERE organization_id = $1),
     homes AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM properties WHERE organization_id = $1),
     stage AS (SELECT s.id, s.pipeline_id, s.probability FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
               WHERE p.organization_id = $1 AND p.is_default ORDER BY s.position LIMIT 1)
INSERT INTO deals (organization_id, title, deal_type, amount, status, probability, person_id, property_id,
                   pipeline_id, stage_id, created_at)
SELECT $1, 'Deal ' || i, 'LISTING', 1000 + i * 3.25, 'OPEN', stage.probability, persons.id,
       CASE WHEN i % 5 = 0 THEN NULL ELSE homes.id END, stage.pipeline_id, stage.id, now() - make_interval(secs => i)
FROM generate_series(1, $2::int) AS i
CROSS JOIN stage
JOIN persons ON persons.n = 1 + i % $3::int
JOIN homes ON homes.n = 1 + i % $4::int
"""

RAW_B2 = """
SELECT d.id, d.title, d.amount, d.status, d.probability,
       p.id AS p_id, p.first_name, p.last_name, p.email, p.phone,
       pr.id AS pr_id, pr.address, pr.city, pr.state, pr.price, pr.bedrooms, pr.bathrooms
FROM deals d JOIN people p ON p.id = d.person_id AND p.organization_id = d.organization_id
LEFT JOIN properties pr ON pr.id = d.property_id AND pr.organization_id = d.organization_id
WHERE d.organization_id = $1 {where}
ORDER BY d.created_at DESC, d.id LIMIT {limit}
"""


def database_url(database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{database}"


def baseline_app(organization_id: str, url: str) -> Any:
    """The baseline: one hand-written join per request, rows shaped into the same JSON, orjson."""
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    pool: list[asyncpg.Pool] = []

    def deal(row: asyncpg.Record) -> dict[str, Any]:
        home = None
        if row["pr_id"] is not None:
            bathrooms = row["bathrooms"]
            home = {
                "id": str(row["pr_id"]), "address": row["address"], "city": row["city"], "state": row["state"],
                "price": str(row["price"]), "bedrooms": row["bedrooms"],
                "bathrooms": None if bathrooms is None else str(bathrooms),
            }
        person = {
            "id": str(row["p_id"]), "firstName": row["first_name"], "lastName": row["last_name"],
            "email": row["email"], "phone": row["phone"],
        }
        return {
            "id": str(row["id"]), "title": row["title"], "amount": str(row["amount"]), "status": row["status"],
            "probability": row["probability"], "person": person, "property": home,
        }

    async def graphql(request: Request) -> Response:
        if not pool:
            pool.append(await asyncpg.create_pool(url, min_size=1, max_size=10))
        variables = json.loads(request.query_params.get("variables") or "{}")
        async with pool[0].acquire() as connection:
            if "id" in variables:
                sql = RAW_B2.format(where="AND d.id = $2", limit=1)
                rows = await connection.fetch(sql, organization_id, variables["id"])
                data: dict[str, Any] = {"deal": deal(rows[0]) if rows else None}
            else:
                rows = await connection.fetch(RAW_B2.format(where="", limit=100), organization_id)
                data = {"deals": {"items": [deal(row) for row in rows]}}
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql), Route("/health", lambda _: Response("ok"))])


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def wrk(url: str, token: str, seconds: int) -> Load:
    """`wrk -t1 -c8` for `seconds`; its req/s and latency percentiles."""
    done = subprocess.run(  # noqa: S603
        ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}", url],  # noqa: S607
        capture_output=True, text=True, check=True,
    )
    if refused := re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout):
        raise SystemExit(f"{refused.group(1)} answers were not 200 (a limit left in place?): {url}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    return Load(rate, _percentile(done.stdout, "50%"), _percentile(done.stdout, "99%"))


def _percentile(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def query_url(base_url: str, query: str, variables: dict[str, str]) -> str:
    return f"{base_url}/graphql?" + urllib.parse.urlencode({"query": query, "variables": json.dumps(variables)})


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(command, env=env)  # noqa: S603
    try:
        wait_until_up(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


async def fill(url: str, organization_id: str, people: int, properties: int, deals: int) -> tuple[float, str]:
    """Fill the organization; (seconds taken, the id of one deal)."""
    started = time.perf_counter()
    connection = await asyncpg.connect(url)
    try:
        for statement, count in zip(FILL, (people, properties), strict=True):
            await connection.execute(statement, organization_id, count)
        await connection.execute(FILL_DEALS, organization_id, deals, people, properties)
        await connection.execute("ANALYZE")
        deal_id = await connection.fetchval(
            "SELECT id FROM deals WHERE organization_id = $1 AND property_id IS NOT NULL LIMIT 1", organization_id
        )
    finally:
        await connection.close()
    return time.perf_counter() - started, str(deal_id)


def check_same(bodies: dict[tuple[str, str], Any]) -> None:
    """Every server answers each scenario with the same `data` (else the benchmark compares different work); the
    baseline has no `extensions` (the cost report)."""
    for (scenario, name), body in bodies.items():
        if body.get("data") != bodies[scenario, "baseline"]["data"]:
            raise SystemExit(f"{name} answers {scenario} differently: {json.dumps(body)[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--properties", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run's length")
    parser.add_argument("--rounds", type=int, default=3, help="how many times each server is measured, in turn")
    parser.add_argument("--paths", default=",".join(PATHS), help="the paths measured besides the baseline")
    parser.add_argument("--database", default=DATABASE, help="the database the run creates and drops")
    parser.add_argument("--results", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args()
    paths = [path for path in PATHS if path in args.paths.split(",")]
    url = database_url(args.database)

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{args.database}"'))
    try:
        migrate(url, DEFAULT_ROLE)
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "WINNERR_", "JWT_"))}
        env.update(
            DATABASE_URL=url, JWT_SECRET="bench-secret-" + "x" * 40, WINNERR_LOG_LEVEL="warning",
            WINNERR_DATA_DIR=tempfile.mkdtemp(prefix="winnerr-bench-"), RATE_LIMIT_API="100000000/minute",
            COST_BUDGET="1000000000000/minute",
        )
        organization_id = winnerr(
            env, "create-org", "--name", "Bench Realty", "--owner-email", OWNER_EMAIL, "--password", "bench-password"
        ).splitlines()[-1]
        token = winnerr(env, "token", "--email", OWNER_EMAIL, "--ttl", "3600")
        seconds, deal_id = asyncio.run(fill(url, organization_id, args.people, args.properties, args.deals))
        print(f"filled {args.people:,} people, {args.properties:,} properties, {args.deals:,} deals in {seconds:.1f} s")
        scenarios = {"B1 deal(id)": (B1, {"id": deal_id}), "B2 deals(limit: 100)": (B2, {})}
        servers = {
            "baseline": [sys.executable, __file__, "baseline", organization_id, url],
            **{path: [WINNERR, "serve", "--workers", "1"] for path in paths},
        }
        rounds: dict[tuple[str, str], list[Load]] = defaultdict(list)
        bodies: dict[tuple[str, str], Any] = {}
        with ExitStack() as running:
            bases = {}
            for name, command in servers.items():
                port = free_port()
                server_env = {**env, "COMPILED_READS": "off" if name == "resolvers" else "on"}
                bases[name] = running.enter_context(serving([*command, "--port", str(port)], server_env, port))
            for scenario, (query, variables) in scenarios.items():
                for name, base_url in bases.items():
                    url = query_url(base_url, query, variables)
                    bodies[scenario, name] = httpx.get(url, headers={"Authorization": f"Bearer {token}"}).json()
                    wrk(url, token, 2)  # warm-up
            for number in range(args.rounds):  # the servers in turn, so that a busy moment weighs on all alike
                for scenario, (query, variables) in scenarios.items():
                    for name, base_url in bases.items():
                        load = wrk(query_url(base_url, query, variables), token, args.seconds)
                        rounds[scenario, name].append(load)
                        print(f"round {number + 1} {scenario:22} {name:10} {load}")
        check_same(bodies)
        report(rounds, scenarios, args)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))


def report(rounds: dict[tuple[str, str], list[Load]], scenarios: dict[str, Any], args: argparse.Namespace) -> None:
    """Each path's median round, and its ratio: the median of its rounds' ratios to the baseline's run just
    before them."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()  # noqa: S607
    lines = [
        f"### Reads against the raw baseline ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"commit {commit}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})",
        "",
        f"`bench/reads.py`: {args.people:,} people, {args.properties:,} properties, {args.deals:,} deals; one worker "
        f"each, `wrk -t1 -c{CONCURRENCY} -d{args.seconds}s`, {args.rounds} rounds of the servers in turn (medians).",
        "",
        "| scenario | baseline req/s | compiled req/s (ratio) | resolvers req/s (ratio) "
        "| p50 / p99 ms: compiled, resolvers |",
        "|---|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        base = rounds[scenario, "baseline"]
        compiled, resolved = (rounds.get((scenario, path)) for path in PATHS)
        lines.append(
            f"| {scenario} | {_median(base).requests_per_second:,.0f} | {_rate(compiled, base, 2)} "
            f"| {_rate(resolved, base, 3)} | {_latency(compiled)}, {_latency(resolved)} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.results:
        results = Path(__file__).with_name("RESULTS.md")
        results.write_text(results.read_text() + "\n" + table + "\n")


def _median(loads: list[Load]) -> Load:
    return sorted(loads, key=lambda load: load.requests_per_second)[len(loads) // 2]


def _rate(loads: list[Load] | None, base: list[Load], digits: int) -> str:
    """Median req/s (median ratio to the baseline, and the rounds' range), or – for a path the run left out."""
    if not loads:
        return "–"
    ratios = sorted(
        load.requests_per_second / before.requests_per_second for load, before in zip(loads, base, strict=True)
    )
    spread = f", {ratios[0]:.{digits}f}–{ratios[-1]:.{digits}f}" if len(ratios) > 1 else ""
    return f"{_median(loads).requests_per_second:,.0f} ({ratios[len(ratios) // 2]:.{digits}f}×{spread})"


def _latency(loads: list[Load] | None) -> str:
    if not loads:
        return "–"
    median = _median(loads)
    return f"{median.p50_ms:.1f} / {median.p99_ms:.1f}"


def serve_baseline(organization_id: str, url: str, port: int) -> None:
    import uvicorn

    uvicorn.run(baseline_app(organization_id, url), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    if sys.argv[1:2] == ["baseline"]:
        serve_baseline(sys.argv[2], sys.argv[3], int(sys.argv[5]))
    else:
        main()
