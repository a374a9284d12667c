"""What the shared rate limits and the cost budget cost per request, and a flood at one member.

Run by hand (not part of the tests), with the local PostgreSQL at postgresql://postgres@127.0.0.1:5432/postgres:

    .venv/bin/python bench/rate_limits.py [--calls 2000] [--flood-seconds 10] [--workers 20]

It creates the database `winnerr_bench_limits` (dropping any previous one), migrates it, creates an organization
with `winnerr create-org`, then, in this process:

- times the work the limits add to one GraphQL request, each part alone, `--calls` times: the API limit's hit
  (PostgreSQL storage, leased as `winnerr.ratelimit` leases), the budget's charge, and `requested_cost` of a
  typical document, and counts the statements the storage ran for them; and the same request end to end over
  ASGI with the PostgreSQL storage and with `RATE_LIMIT_URL=memory://`;
- floods one member for `--flood-seconds` from `--workers` concurrent clients spread over two app instances
  sharing the database (`RATE_LIMIT_API=100/minute`), and counts the answers by status and the statements the
  limits sent to PostgreSQL;

and prints the figures as Markdown. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from common import SERVER_URL, admin, winnerr
from graphql import parse
from sqlalchemy import event

from winnerr.app import create_app
from winnerr.db.migrate import migrate
from winnerr.limits_storage import PostgresStorage
from winnerr.schema import schema
from winnerr.schema.limits import requested_cost
from winnerr.settings import DEFAULT_ROLE, Settings, load_settings
from winnerr.state import STATE_KEY, AppState

DATABASE = "winnerr_bench_limits"
DATABASE_URL = SERVER_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
JWT_SECRET = "bench-secret-" + "x" * 40
OWNER = "owner@bench.example.com"
DOCUMENT = "{ people(limit: 20) { items { id fullName deals { items { id title } } } pagination { total } } }"
ME = "{ me { role } }"
FLOOD_LIMIT = "100/minute"


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def timed(calls: int, work: Callable[[], Awaitable[Any]]) -> list[float]:
    for _ in range(min(50, calls)):
        await work()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - started)
    return samples


@asynccontextmanager
async def instance(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client, manager._state[STATE_KEY]


def mean_ms(samples: list[float]) -> float:
    return statistics.fmean(samples) * 1000


async def overhead(settings: Settings, token: str, calls: int) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"}
    document = parse(DOCUMENT)
    statements: list[str] = []
    async with instance(settings) as (client, state):
        storage = state.limits.storage
        assert isinstance(storage, PostgresStorage)
        round_trip = await timed(calls, storage.check)  # SELECT 1 through the storage's pool
        event.listen(storage.engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(""))
        api = await timed(calls, lambda: state.limits.api.hit("api", "member:bench"))
        budget = await timed(calls, lambda: state.limits.cost.hit("cost", "member:bench", cost=441))
        limit_statements = len(statements)

        async def cost() -> int:
            return requested_cost(schema._schema, document, None, {})

        costing = await timed(calls, cost)
        shared = await timed(calls, lambda: client.post("/graphql", json={"query": ME}, headers=headers))
    memory_settings = settings.model_copy(update={"rate_limit_url": "memory://"})
    async with instance(memory_settings) as (client, _):
        memory = await timed(calls, lambda: client.post("/graphql", json={"query": ME}, headers=headers))
    limits_total = p50_ms(api) + p50_ms(budget) + p50_ms(costing)
    mean_total = mean_ms(api) + mean_ms(budget) + mean_ms(costing)
    return [
        f"| baseline: one `SELECT 1` round trip through the same pool | {p50_ms(round_trip):.3f} ms |",
        f"| API limit hit (PostgreSQL storage, leased; p50 / mean) | {p50_ms(api):.3f} / {mean_ms(api):.3f} ms |",
        f"| cost budget charge (same storage; p50 / mean) | {p50_ms(budget):.3f} / {mean_ms(budget):.3f} ms |",
        f"| `requested_cost` of the people page with deals (cost {cost_of(document)}) | {p50_ms(costing):.3f} ms |",
        f"| **limits + cost per request (sum of the three; p50 / mean)** | **{limits_total:.3f} / "
        f"{mean_total:.3f} ms** |",
        f"| statements the storage ran for those {2 * calls} hits (leases) | {limit_statements} |",
        f"| `{ME}` end to end over ASGI, PostgreSQL storage | {p50_ms(shared):.3f} ms |",
        f"| `{ME}` end to end over ASGI, `RATE_LIMIT_URL=memory://` | {p50_ms(memory):.3f} ms |",
    ]


def cost_of(document: Any) -> int:
    return requested_cost(schema._schema, document, None, {})


async def flood(settings: Settings, token: str, seconds: float, workers: int) -> list[str]:
    flooded = settings.model_copy(update={"rate_limit_api": FLOOD_LIMIT})
    headers = {"Authorization": f"Bearer {token}"}
    statuses: Counter[int] = Counter()
    statements: list[str] = []
    async with AsyncExitStack() as stack:
        apps = [await stack.enter_async_context(instance(flooded)) for _ in range(2)]
        await apps[0][1].limits.storage.reset()
        for _, state in apps:
            storage = state.limits.storage
            assert isinstance(storage, PostgresStorage)
            event.listen(storage.engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(""))
        deadline = time.monotonic() + seconds

        async def client_loop(client: httpx.AsyncClient) -> None:
            while time.monotonic() < deadline:
                answer = await client.post("/graphql", json={"query": ME}, headers=headers)
                statuses[answer.status_code] += 1

        await asyncio.gather(*(client_loop(apps[number % 2][0]) for number in range(workers)))
    total = sum(statuses.values())
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    return [
        f"| requests in {seconds:.0f} s ({workers} clients, 2 instances) | {total} |",
        f"| allowed (200) | {statuses[200]} (limit {FLOOD_LIMIT}) |",
        f"| refused (429) | {statuses[429]} |",
        f"| 5xx | {server_errors} |",
        f"| statements the limits sent to PostgreSQL | {len(statements)} |",
    ]


async def measure(arguments: argparse.Namespace) -> None:
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "JWT_SECRET": JWT_SECRET}
    winnerr(env, "create-org", "--name", "Bench Realty", "--owner-email", OWNER, "--password", "bench-password")
    token = winnerr(env, "token", "--email", OWNER)
    unlimited = {"rate_limit_api": "1000000/minute", "cost_budget": "1000000000/minute"}
    settings = load_settings(database_url=DATABASE_URL, jwt_secret=JWT_SECRET, **unlimited)
    print(f"Load average before: {os.getloadavg()[0]:.2f}\n")
    print("| per request (p50) | time |\n|---|---:|")
    print("\n".join(await overhead(settings, token, arguments.calls)))
    print("\n| flood at one member | |\n|---|---:|")
    print("\n".join(await flood(settings, token, arguments.flood_seconds, arguments.workers)))


def main(arguments: argparse.Namespace) -> None:
    asyncio.run(admin(f"DROP DATABASE IF EXISTS {DATABASE}"))
    asyncio.run(admin(f"CREATE DATABASE {DATABASE}"))
    try:
        migrate(DATABASE_URL, DEFAULT_ROLE)  # before any event loop runs: it runs its own
        asyncio.run(measure(arguments))
    finally:
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--flood-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=20)
    main(parser.parse_args())
