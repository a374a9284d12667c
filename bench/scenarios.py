"""Benchmark scenarios B2b-B6 on `bench/dataset.py`'s organization, each figure a ratio to a baseline of the run.

Run by hand (not part of the tests), with the local PostgreSQL on 127.0.0.1:5432 and `wrk` installed:

    .venv/bin/python bench/scenarios.py [--seconds 10] [--results]

One command: it makes the data set (database `winnerr_bench_scenarios`), then
- reads (`wrk -t1 -c8`, GET /graphql?query=…) against `winnerr serve --workers 1` with COMPILED_READS on and off,
  and against `bench/reads.py`'s raw Starlette + asyncpg + orjson endpoint serving B2 (its baseline, reused):
  B2 `deals(limit: 100)` with person and property (the same JSON as the baseline), B2b the same with the
  person's deals and the stage, B4 people search and suggest at 100k people, B5 the pipeline board. The ratio
  is the scenario's requests/s over the baseline's B2 requests/s (for B2b, B4 and B5 the baseline does B2's
  work, not theirs: the ratio says how far a richer answer is from the floor of one hand-written join);
- B3: the SQL statements one B2 request runs, at limit 10 and limit 100, on both paths (the app in process,
  counted with a SQLAlchemy `before_cursor_execute` listener and the compiled reads' pool's listeners, the
  request's own authentication included);
- B6: the people export at 200k people (100k more are added first): seconds and the server's peak RSS, against
  `COPY (the export's own SELECT) TO STDOUT` into /dev/null on one connection, and a plain COPY of the
  same columns (no neutralisation, no ISO times) for what the cells cost. Median of three, interleaved.
The per-member limits (`RATE_LIMIT_API`, `RATE_LIMIT_EXPORTS`, `COST_BUDGET`) are lifted. The table is printed;
`--results` appends it to bench/RESULTS.md with the date, commit and core count. The database is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import reads
from asgi_lifespan import LifespanManager
from common import WINNERR, admin, free_port
from dataset import Dataset, Sizes, add_people, make
from export_csv import Memory, download
from sqlalchemy import event

from winnerr.app import create_app
from winnerr.db.copy import asyncpg_statement
from winnerr.db.database import Database
from winnerr.db.scope import TenantScope
from winnerr.export import PEOPLE, PeopleExportRules
from winnerr.settings import load_settings
from winnerr.state import STATE_KEY, AppState

DATABASE = "winnerr_bench_scenarios"
EXPORT_ROWS = 200_000
RUNS = 3

B2B = (
    "query { deals(limit: 100) { items { " + reads.SELECTION
    + " person { deals(limit: 20) { items { id title status amount } } } stage { id name probability } } } }"
)
B4_SEARCH = 'query { people(search: "jen", limit: 20) { items { id firstName lastName email } pagination { total } } }'
B4_SUGGEST = 'query { suggestPeople(prefix: "jen") { id firstName lastName email } }'
B5 = (
    "query($id: ID!) { pipelineBoard(pipelineId: $id, limit: 20) { pipeline { id name } columns { "
    "stage { id name probability } count totalAmount weightedAmount deals { items { id title amount } } } } }"
)
B3 = "query($limit: Int) { deals(limit: $limit) { items { " + reads.SELECTION + " } } }"


@dataclass(frozen=True)
class Export:
    seconds: float
    peak_mib: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--results", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    dataset = asyncio.run(make(DATABASE, Sizes()))
    print(f"data set in {time.perf_counter() - started:.0f} s: {dataset.seconds}")
    try:
        lines = reads_table(dataset, args.seconds)
        lines += statements_table(dataset)
        lines += export_table(dataset)
        report(lines, dataset, args)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


def reads_table(dataset: Dataset, seconds: int) -> list[str]:
    pipeline_id = asyncio.run(_fetch(dataset, "SELECT id FROM pipelines WHERE organization_id = $1 AND is_default"))
    scenarios = {
        "B2 deals(limit: 100)": (reads.B2, {}),
        "B2b + person's deals, stage": (B2B, {}),
        'B4 people(search: "jen")': (B4_SEARCH, {}),
        'B4 suggestPeople("jen")': (B4_SUGGEST, {}),
        "B5 pipelineBoard": (B5, {"id": str(pipeline_id)}),
    }
    loads: dict[tuple[str, str], reads.Load] = {}
    with _server("baseline", dataset) as base_url:
        loads["baseline", "baseline"] = _measure(base_url, dataset.token, reads.B2, {}, seconds)
    for name in ("compiled", "resolvers"):
        with _server(name, dataset) as base_url:
            for scenario, (query, variables) in scenarios.items():
                loads[scenario, name] = _measure(base_url, dataset.token, query, variables, seconds)
                print(f"{scenario:30} {name:10} {loads[scenario, name]}")
    base = loads["baseline", "baseline"].requests_per_second
    lines = [
        f"Baseline: `bench/reads.py`'s raw endpoint serving B2, {base:,.0f} req/s. `wrk -t1 -c{reads.CONCURRENCY} "
        f"-d{seconds}s`, one worker each.",
        "",
        "| scenario | compiled req/s (× baseline) | p50 / p99 ms | resolvers req/s (× baseline) | p50 / p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        compiled, resolved = loads[scenario, "compiled"], loads[scenario, "resolvers"]
        lines.append(
            f"| {scenario} | {compiled.requests_per_second:,.0f} ({compiled.requests_per_second / base:.3f}×) "
            f"| {compiled.p50_ms:.1f} / {compiled.p99_ms:.1f} | {resolved.requests_per_second:,.0f} "
            f"({resolved.requests_per_second / base:.3f}×) | {resolved.p50_ms:.1f} / {resolved.p99_ms:.1f} |"
        )
    return lines


def _measure(base_url: str, token: str, query: str, variables: dict[str, str], seconds: int) -> reads.Load:
    url = reads.query_url(base_url, query, variables)
    body = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
    if body.get("errors") or not body.get("data"):
        raise SystemExit(f"{query} answered {str(body)[:300]}")
    reads.wrk(url, token, 2)  # warm-up
    return reads.wrk(url, token, seconds)


@contextmanager
def _server(name: str, dataset: Dataset) -> Iterator[str]:
    """`winnerr serve --workers 1` (COMPILED_READS on for "compiled", off for "resolvers") or the baseline."""
    port = free_port()
    if name == "baseline":
        command = [sys.executable, __file__, "baseline", dataset.database_url, dataset.organization_id, str(port)]
    else:
        command = [WINNERR, "serve", "--workers", "1", "--port", str(port)]
    env = {**dataset.env, "COMPILED_READS": "off" if name == "resolvers" else "on"}
    with reads.serving(command, env, port) as base_url:
        yield base_url


def statements_table(dataset: Dataset) -> list[str]:
    counts = {
        (path, limit): asyncio.run(_statements(dataset, path, limit)) for path in ("on", "off") for limit in (10, 100)
    }
    lines = ["", "| B3: statements per B2 request | limit 10 | limit 100 |", "|---|---:|---:|"]
    for path, label in (("on", "compiled"), ("off", "resolvers")):
        lines.append(f"| {label} | {counts[path, 10]} | {counts[path, 100]} |")
    return lines


async def _statements(dataset: Dataset, compiled: str, limit: int) -> int:
    """The statements one B2 request at `limit` runs (after one warm-up request), the app in this process."""
    env = dataset.env
    settings = load_settings(
        database_url=dataset.database_url, jwt_secret=env["JWT_SECRET"], rate_limit_api=env["RATE_LIMIT_API"],
        cost_budget=env["COST_BUDGET"], compiled_reads=compiled, winnerr_log_level="warning",
    )
    statements: list[str] = []
    async with LifespanManager(create_app(settings)) as manager:
        state: AppState = manager._state[STATE_KEY]
        transport = httpx.ASGITransport(app=manager.app)
        headers = {"Authorization": f"Bearer {dataset.token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            request = {"query": B3, "variables": {"limit": limit}}
            (await client.post("/graphql", json=request, headers=headers)).raise_for_status()

            def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                if "presence" not in statement:  # the heartbeat, on its own schedule
                    statements.append(statement)

            event.listen(state.database.engine.sync_engine, "before_cursor_execute", record)
            state.database.reads.listeners.append(statements.append)  # the compiled statements' own pool
            response = await client.post("/graphql", json=request, headers=headers)
            state.database.reads.listeners.remove(statements.append)
            event.remove(state.database.engine.sync_engine, "before_cursor_execute", record)
    if response.json().get("errors"):
        raise SystemExit(f"B3 answered {response.text[:300]}")
    return len(statements)


def export_table(dataset: Dataset) -> list[str]:
    asyncio.run(add_people(dataset.database_url, dataset.organization_id, Sizes().people + 1, EXPORT_ROWS))
    ours: list[Export] = []
    copies: list[float] = []
    plain: list[float] = []
    with _server("compiled", dataset) as base_url:
        pid = _listening_pid(base_url)
        started_mib = Memory.of(pid).peak_kib / 1024
        for _ in range(RUNS):
            done = download(base_url, dataset.token)
            if done.rows != EXPORT_ROWS:
                raise SystemExit(f"the export held {done.rows} rows, not {EXPORT_ROWS}")
            ours.append(Export(done.seconds, Memory.of(pid).peak_kib / 1024))
            copies.append(asyncio.run(_copy_seconds(dataset, cells=True)))
            plain.append(asyncio.run(_copy_seconds(dataset, cells=False)))
            print(f"B6 export {done.seconds:.2f} s, COPY {copies[-1]:.2f} s, plain COPY {plain[-1]:.2f} s")
    export, copy, bare = (statistics.median(x) for x in ([e.seconds for e in ours], copies, plain))
    return [
        "",
        f"| B6: people export, {EXPORT_ROWS:,} rows | seconds (median of {RUNS}) | COPY's time / this |",
        "|---|---:|---:|",
        f"| `COPY (export's SELECT) TO STDOUT` → /dev/null (baseline) | {copy:.2f} | 1.00× |",
        f"| `GET /export/people.csv` (httpx client, streaming) | {export:.2f} | {copy / export:.2f}× |",
        f"| plain `COPY (SELECT columns)` → /dev/null, no cells | {bare:.2f} | {copy / bare:.2f}× |",
        "",
        f"Server peak RSS (VmHWM): {started_mib:.1f} MiB after start, "
        f"{', '.join(f'{e.peak_mib:.1f}' for e in ours)} MiB after each export.",
    ]


def _listening_pid(base_url: str) -> int:
    """The pid of the process serving `base_url`'s port (the server itself, not a wrapper)."""
    port = base_url.rsplit(":", 1)[1]
    found = subprocess.run(["fuser", f"{port}/tcp"], capture_output=True, text=True, check=True)  # noqa: S603, S607
    return int(found.stdout.split()[0])


async def _copy_seconds(dataset: Dataset, *, cells: bool) -> float:
    """Seconds for `COPY (the people export's SELECT) TO STDOUT WITH (FORMAT csv, HEADER)` into /dev/null, or
    with the plain columns (`cells=False`)."""
    database = Database.connect(dataset.database_url)
    try:
        async with database.sessions() as session:
            query = PEOPLE.query(TenantScope(session, dataset.organization_id), PeopleExportRules())  # type: ignore[arg-type]
            statement = PEOPLE.cells(query) if cells else query.with_only_columns(*(
                getattr(query.selected_columns, name) for name in PEOPLE.columns))
            sql, arguments = asyncpg_statement(statement, database.engine.dialect)
    finally:
        await database.close()
    connection = await asyncpg.connect(dataset.database_url)
    try:
        started = time.perf_counter()
        await connection.copy_from_query(sql, *arguments, output=os.devnull, format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await connection.close()


async def _fetch(dataset: Dataset, sql: str) -> Any:
    connection = await asyncpg.connect(dataset.database_url)
    try:
        return await connection.fetchval(sql, dataset.organization_id)
    finally:
        await connection.close()


def report(lines: list[str], dataset: Dataset, args: argparse.Namespace) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()  # noqa: S607
    sizes = Sizes()
    header = [
        f"### Scenarios B2b-B6 ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})",
        "",
        f"`bench/scenarios.py`: `bench/dataset.py`'s organization ({sizes.people:,} people, {sizes.properties:,} "
        f"properties, {sizes.deals:,} deals, {sizes.people * sizes.communications_per_person:,} communications, "
        f"made in {sum(dataset.seconds.values()):.0f} s).",
        "",
    ]
    table = "\n".join(header + lines)
    print(table)
    if args.results:
        results = Path(__file__).with_name("RESULTS.md")
        results.write_text(results.read_text() + "\n" + table + "\n")


def serve_baseline(database_url: str, organization_id: str, port: int) -> None:
    """`bench/reads.py`'s baseline endpoint, on this run's database."""
    reads.serve_baseline(organization_id, database_url, port)


if __name__ == "__main__":
    if sys.argv[1:2] == ["baseline"]:
        serve_baseline(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
