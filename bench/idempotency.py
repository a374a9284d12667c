"""What an `Idempotency-Key` costs a mutation, and what a replay costs.

Run by hand (not part of the tests), with the local PostgreSQL at postgresql://postgres@127.0.0.1:5432/postgres:

    .venv/bin/python bench/idempotency.py [--calls 500]

It creates the database `winnerr_bench_idempotency` (dropping any previous one), migrates it, creates an
organization with `winnerr create-org`, then over ASGI in this process times `--calls` rounds of three requests,
interleaved so that load on the machine hits them alike: `createPerson` without a key (the baseline), with a
fresh key each time (claimed, then the answer recorded), and a replay of one key's first answer. It prints the
p50 and p90 of each and their ratio to the baseline as Markdown. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

import httpx
from common import SERVER_URL, admin, winnerr
from rate_limits import instance

from winnerr.db.migrate import migrate
from winnerr.settings import DEFAULT_ROLE, load_settings

DATABASE = "winnerr_bench_idempotency"
DATABASE_URL = SERVER_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
JWT_SECRET = "bench-secret-" + "x" * 40
OWNER = "owner@bench.example.com"
CREATE = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id fullName } }"


async def post(client: httpx.AsyncClient, headers: dict[str, str], key: str | None, name: str) -> float:
    keyed = headers | ({"Idempotency-Key": key} if key else {})
    body = {"query": CREATE, "variables": {"input": {"firstName": name, "lastName": "Bench"}}}
    started = time.perf_counter()
    response = await client.post("/graphql", json=body, headers=keyed)
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or "errors" in response.json():
        raise RuntimeError(response.text)
    return elapsed


async def measure(calls: int) -> None:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "JWT_SECRET": JWT_SECRET}
    winnerr(env, "create-org", "--name", "Bench Realty", "--owner-email", OWNER, "--password", "bench-password")
    headers = {"Authorization": f"Bearer {winnerr(env, 'token', '--email', OWNER, '--ttl', '86400')}"}
    unlimited = {"rate_limit_api": "1000000/minute", "cost_budget": "1000000000/minute"}
    settings = load_settings(database_url=DATABASE_URL, jwt_secret=JWT_SECRET, **unlimited)
    samples: dict[str, list[float]] = {"no key": [], "a fresh key": [], "a replay": []}
    replayed = str(uuid.uuid4())
    async with instance(settings) as (client, _):
        await post(client, headers, replayed, "Replayed")
        for round_ in range(calls + 50):  # the first 50 rounds warm up
            timings = [
                await post(client, headers, None, f"Plain{round_}"),
                await post(client, headers, str(uuid.uuid4()), f"Keyed{round_}"),
                await post(client, headers, replayed, "Replayed"),
            ]
            if round_ >= 50:
                for samples_of, elapsed in zip(samples.values(), timings, strict=True):
                    samples_of.append(elapsed)
    baseline = statistics.median(samples["no key"])
    print(f"Load average after: {os.getloadavg()[0]:.2f}; {calls} rounds; {os.cpu_count()} cores\n")
    print("| createPerson over ASGI | p50 | p90 | p50 / no key |\n|---|---:|---:|---:|")
    for name, timings in samples.items():
        p50, p90 = statistics.median(timings), statistics.quantiles(timings, n=10)[-1]
        print(f"| {name} | {p50 * 1000:.2f} ms | {p90 * 1000:.2f} ms | {p50 / baseline:.2f}× |")


def main(calls: int) -> None:
    asyncio.run(admin(f"DROP DATABASE IF EXISTS {DATABASE}"))
    asyncio.run(admin(f"CREATE DATABASE {DATABASE}"))
    try:
        migrate(DATABASE_URL, DEFAULT_ROLE)  # before any event loop runs: it runs its own
        asyncio.run(measure(calls))
    finally:
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    main(parser.parse_args().calls)
