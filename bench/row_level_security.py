"""What running as the runtime role costs: the one statement at the start of each transaction that sets the role
and the organization (`winnerr.db.engine`), against the same work as the connecting user.

Run by hand (not part of the tests), with the local PostgreSQL at postgresql://postgres@127.0.0.1:5432/postgres:

    .venv/bin/python bench/row_level_security.py [--calls 1000]

It creates the database `winnerr_bench_rls` (dropping any previous one), migrates it with
`DATABASE_ROLE=winnerr_bench_app` (which makes that role) and fills it with `winnerr seed-demo`, then, in this
process, alternating the two in rounds of 50 so that the machine's load drifts alike for both:

- a transaction holding one tenant query (`SELECT count(*) FROM people`, about 50 rows), `--calls` times,
  through the app's session machinery, bound to the organization, without and with the runtime role;
- the same GraphQL request (a page of people with their deals) over ASGI to two apps, without and with
  `DATABASE_ROLE`;

and prints p50 and p99 of each as Markdown, with the ratios. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from common import SERVER_URL, admin, winnerr
from sqlalchemy import text

from winnerr.app import create_app
from winnerr.db.database import Database
from winnerr.settings import load_settings

DATABASE = "winnerr_bench_rls"
DATABASE_URL = SERVER_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
ROLE = "winnerr_bench_app"
JWT_SECRET = "bench-secret-" + "x" * 40
OWNER = "owner@demo.example.com"
DOCUMENT = "{ people(limit: 20) { items { id fullName deals { items { id title } } } pagination { total } } }"
ROUND = 50

Timed = Callable[[], Awaitable[object]]


async def _times(work: Timed, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return times


async def alternating(first: Timed, second: Timed, calls: int) -> tuple[list[float], list[float]]:
    """`calls` timings of each, in alternating rounds (after one warm-up round each)."""
    await _times(first, ROUND)
    await _times(second, ROUND)
    a: list[float] = []
    b: list[float] = []
    while len(a) < calls:
        a += await _times(first, ROUND)
        b += await _times(second, ROUND)
    return a, b


def _row(name: str, plain: list[float], as_role: list[float]) -> str:
    def quantiles(times: list[float]) -> tuple[float, float]:
        cuts = statistics.quantiles(times, n=100)
        return statistics.median(times) * 1000, cuts[98] * 1000

    (p50, p99), (role50, role99) = quantiles(plain), quantiles(as_role)
    return f"| {name} | {p50:.3f} | {p99:.3f} | {role50:.3f} | {role99:.3f} | {role50 / p50:.2f}× |"


async def transactions(organization_id: uuid.UUID, calls: int) -> str:
    plain, as_role = Database.connect(DATABASE_URL), Database.connect(DATABASE_URL, role=ROLE)

    def query(database: Database) -> Timed:
        async def one() -> object:
            async with database.session_for(organization_id) as session:
                return await session.scalar(text("SELECT count(*) FROM people"))

        return one

    try:
        return _row("one-statement transaction", *await alternating(query(plain), query(as_role), calls))
    finally:
        await plain.close()
        await as_role.close()


async def requests(token: str, calls: int) -> str:
    base = load_settings(
        database_url=DATABASE_URL,
        database_role=None,  # the connecting user, against the same app as the runtime role
        jwt_secret=JWT_SECRET,
        rate_limit_api="1000000/minute",
        cost_budget="1000000000/minute",
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        LifespanManager(create_app(base)) as plain,
        LifespanManager(create_app(base.model_copy(update={"database_role": ROLE}))) as as_role,
    ):

        def request(manager: LifespanManager) -> Timed:
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://bench")

            async def one() -> object:
                response = await client.post("/graphql", json={"query": DOCUMENT}, headers=headers)
                if response.status_code != 200 or "errors" in response.json():
                    raise SystemExit(f"the request failed: {response.text}")
                return response

            return one

        return _row("GraphQL people page", *await alternating(request(plain), request(as_role), calls))


async def demo_organization() -> uuid.UUID:
    connection = await asyncpg.connect(DATABASE_URL)
    try:
        found: uuid.UUID = await connection.fetchval("SELECT id FROM organizations WHERE name = 'Demo Realty'")
        return found
    finally:
        await connection.close()


async def main(calls: int) -> None:
    await admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "DATABASE_ROLE": ROLE, "JWT_SECRET": JWT_SECRET}
    try:
        winnerr(env, "seed-demo")
        token = winnerr(env, "token", "--email", OWNER)
        organization_id = await demo_organization()
        rows = [await transactions(organization_id, calls), await requests(token, calls)]
    finally:
        await admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    print("| work | p50 ms | p99 ms | p50 ms as the runtime role | p99 ms as the runtime role | p50 ratio |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    asyncio.run(main(parser.parse_args().calls))
