"""Benchmark of `POST /webhooks/twilio`: a burst of signed inbound texts from concurrent senders, a tenth of
them redeliveries; throughput, p50/p99 latency, and afterwards exactly one delivery and one communication per
distinct message, and no 5xx.

Run by hand (not part of the tests), with the local PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/webhooks_burst.py [--messages 20000] [--concurrency 50] [--workers 1]

It creates the database `winnerr_bench_webhooks`, migrates it, creates an organization with `winnerr create-org`,
connects the number +14155550100 to it, starts `winnerr serve` with a Twilio auth token and `PUBLIC_URL`, and
posts the texts (each signed with twilio's RequestValidator). The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid

import asyncpg
import httpx
from common import WINNERR, admin, free_port, wait_until_up, winnerr
from twilio.request_validator import RequestValidator

from winnerr.db.migrate import migrate
from winnerr.settings import DEFAULT_ROLE

DATABASE = "winnerr_bench_webhooks"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
NUMBER = "+14155550100"
TOKEN = "bench-twilio-auth-token"
PUBLIC_URL = "https://hooks.bench.example"
SENDERS = 500  # distinct phone numbers texting in: 500 LEAD people are made


RETRIES = 3
RETRIED, UNANSWERED = "sent again after a transport error", "no answer after 3 tries"


def texts(count: int, duplicates: float) -> list[dict[str, str]]:
    """`count` deliveries: distinct messages, and a share of them delivered again (same MessageSid)."""
    distinct = int(count * (1 - duplicates))
    rng = random.Random(2026)  # noqa: S311 - benchmark data
    messages = [
        {
            "MessageSid": f"SM{uuid.UUID(int=rng.getrandbits(128)).hex}",
            "From": f"+1512555{n % SENDERS:04d}",
            "To": NUMBER,
            "Body": f"Message {n}",
            "NumMedia": "0",
            "SmsStatus": "received",
        }
        for n in range(distinct)
    ]
    deliveries = messages + [rng.choice(messages) for _ in range(count - distinct)]
    rng.shuffle(deliveries)
    return deliveries


async def burst(
    base_url: str, deliveries: list[dict[str, str]], concurrency: int
) -> tuple[list[float], dict[int | str, int]]:
    validator = RequestValidator(TOKEN)
    url = f"{PUBLIC_URL}/webhooks/twilio"
    queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    for params in deliveries:
        queue.put_nowait(params)
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}

    async def deliver(client: httpx.AsyncClient, params: dict[str, str]) -> int | str:
        """One delivery as Twilio makes it: sent again when the connection fails before an answer (a pooled
        keep-alive connection the server closed at that moment). Each such retry is counted."""
        headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
        for _ in range(RETRIES):
            try:
                return (await client.post("/webhooks/twilio", data=params, headers=headers)).status_code
            except httpx.TransportError:
                statuses[RETRIED] = statuses.get(RETRIED, 0) + 1
        return UNANSWERED

    async def sender(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            params = queue.get_nowait()
            started = time.perf_counter()
            status = await deliver(client, params)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        await asyncio.gather(*(sender(client) for _ in range(concurrency)))
    return latencies, statuses


async def counts() -> tuple[int, int, int]:
    connection = await asyncpg.connect(DATABASE_URL)
    try:
        row = await connection.fetchrow(
            "SELECT (SELECT count(*) FROM webhook_deliveries), (SELECT count(*) FROM communications),"
            " (SELECT count(*) FROM people)"
        )
    finally:
        await connection.close()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


async def connect_number(organization_id: str) -> None:
    connection = await asyncpg.connect(DATABASE_URL)
    try:
        await connection.execute(
            "INSERT INTO integrations (id, organization_id, provider, external_id, status)"
            " VALUES (gen_random_uuid(), $1, 'TWILIO', $2, 'ACTIVE')",
            uuid.UUID(organization_id),
            NUMBER,
        )
    finally:
        await connection.close()


def _failed(status: int | str) -> bool:
    """A 5xx, or a delivery that never got an answer."""
    return status == UNANSWERED or (isinstance(status, int) and status >= 500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}"'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    try:
        migrate(DATABASE_URL, DEFAULT_ROLE)
        env = {
            **os.environ,
            "DATABASE_URL": DATABASE_URL,
            "WINNERR_DATA_DIR": tempfile.mkdtemp(),
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_URL": PUBLIC_URL,
            "RATE_LIMIT_WEBHOOKS": "10000000/minute",
            "WINNERR_LOG_LEVEL": "warning",
        }
        organization_id = winnerr(
            env,
            "create-org",
            "--name",
            "Bench Realty",
            "--owner-email",
            "bench@example.com",
            "--password",
            "bench-password",
        )
        asyncio.run(connect_number(organization_id))
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [WINNERR, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_up(base_url, server)
            deliveries = texts(args.messages, args.duplicates)
            started = time.perf_counter()
            latencies, statuses = asyncio.run(burst(base_url, deliveries, args.concurrency))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
        distinct = len({params["MessageSid"] for params in deliveries})
        stored, communications, people = asyncio.run(counts())
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            f"{len(deliveries):,} deliveries ({distinct:,} distinct) from {args.concurrency} senders, "
            f"{args.workers} worker(s): {elapsed:.1f} s, {len(deliveries) / elapsed:,.0f}/s"
        )
        print(f"latency p50 {quantiles[49] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms; statuses {statuses}")
        print(
            f"rows: {stored:,} deliveries, {communications:,} communications, {people:,} people "
            f"(expected {distinct:,}, {distinct:,}, {min(SENDERS, distinct):,})"
        )
        failed = sum(count for status, count in statuses.items() if _failed(status))
        if (stored, communications, people) != (distinct, distinct, min(SENDERS, distinct)) or failed:
            raise SystemExit("FAILED: wrong row counts, 5xx answers or unanswered deliveries")
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
