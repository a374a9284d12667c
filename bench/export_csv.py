"""Benchmark of `GET /export/people.csv`: throughput and the server's memory at 20k and 200k rows.

Run by hand (not part of the tests), with the local PostgreSQL on 127.0.0.1:5432:

    .venv/bin/python bench/export_csv.py [--rows 200000] [--small 20000]

It creates the database `winnerr_bench_export`, migrates it, creates an organization with `winnerr create-org`,
inserts `--small` people (one INSERT ... SELECT generate_series), starts `winnerr serve --workers 1` and downloads
the export; then tops the organization up to `--rows` people and downloads again. After each step it reads the
server process's VmHWM (peak RSS since start) and VmRSS from /proc: if the export streams, the peak after
200k rows is the peak after 20k rows. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from common import WINNERR, admin, bench_env, free_port, wait_until_up, winnerr

from winnerr.db.migrate import migrate
from winnerr.settings import DEFAULT_ROLE

DATABASE = "winnerr_bench_export"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
OWNER_EMAIL = "bench-owner@example.com"

# n -> one person; every value varies with n, addresses carry a comma (quoted cells), phones start with "+"
# (neutralised cells), a third have tags and a last contact.
INSERT_PEOPLE = """
INSERT INTO people (organization_id, first_name, last_name, email, phone, address, city, state, zip_code,
                    source, status, last_contact_at, tags)
SELECT $1, 'First' || n, 'Last' || n, 'person' || n || '@example.com',
       '+1512555' || lpad((n % 10000)::text, 4, '0'), n || ' Main Street, Apt ' || (n % 20),
       (ARRAY['Austin', 'Dallas', 'Houston'])[1 + n % 3], 'TX', lpad((78700 + n % 100)::text, 5, '0'),
       (ARRAY['WEBSITE', 'REFERRAL', 'SOCIAL_MEDIA', 'COLD_CALL'])[1 + n % 4]::lead_source,
       (ARRAY['PROSPECT', 'LEAD', 'QUALIFIED', 'ACTIVE_CLIENT', 'PAST_CLIENT'])[1 + n % 5]::person_status,
       CASE WHEN n % 3 = 0 THEN now() - make_interval(days => n % 365) END,
       CASE WHEN n % 3 = 0 THEN ARRAY['vip', 'investor'] ELSE '{}' END
FROM generate_series($2::int, $3::int) AS n
"""


@dataclass(frozen=True)
class Memory:
    peak_kib: int  # VmHWM: the highest resident set size since the process started
    current_kib: int  # VmRSS

    @classmethod
    def of(cls, pid: int) -> Memory:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        return cls(int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0]))

    def __str__(self) -> str:
        return f"peak {self.peak_kib / 1024:.1f} MiB, now {self.current_kib / 1024:.1f} MiB"


@dataclass(frozen=True)
class Download:
    rows: int
    bytes: int
    seconds: float
    first_byte_seconds: float

    def __str__(self) -> str:
        return (
            f"{self.rows:,} rows, {self.bytes / 1e6:.1f} MB in {self.seconds:.2f} s "
            f"({self.rows / self.seconds:,.0f} rows/s, first byte after {self.first_byte_seconds * 1000:.0f} ms)"
        )


async def insert_people(organization_id: str, first: int, last: int) -> float:
    started = time.perf_counter()
    connection = await asyncpg.connect(DATABASE_URL)
    try:
        await connection.execute(INSERT_PEOPLE, organization_id, first, last)
        await connection.execute("ANALYZE people")
    finally:
        await connection.close()
    return time.perf_counter() - started


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def download(base_url: str, token: str, params: dict[str, str | list[str]] | None = None) -> Download:
    """Stream the export, counting its bytes and rows (the generated data has no newline inside a cell)."""
    size = lines = 0
    first_byte = 0.0
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base_url}/export/people.csv"
    with httpx.stream("GET", url, params=params, headers=headers, timeout=60) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            if not size:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")  # not "\r\n": a chunk may end between the two
    return Download(lines - 1, size, time.perf_counter() - started, first_byte)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=20_000)
    args = parser.parse_args()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    server: subprocess.Popen[bytes] | None = None
    try:
        migrate(DATABASE_URL, DEFAULT_ROLE)
        env = bench_env(DATABASE_URL)
        organization_id = winnerr(
            env, "create-org", "--name", "Bench Realty", "--owner-email", OWNER_EMAIL, "--password", "bench-password"
        ).splitlines()[-1]
        token = winnerr(env, "token", "--email", OWNER_EMAIL, "--ttl", "3600")

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([WINNERR, "serve", "--port", str(port), "--workers", "1"], env=env)  # noqa: S603
        wait_until_up(base_url, server)
        print(
            f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
            f"{os.getloadavg()[0]:.1f}; server pid {server.pid}"
        )
        print(f"server started:                    {Memory.of(server.pid)}")
        empty = download(base_url, token, {"search": "nobody-matches-this"})
        print(f"after an empty export (warm-up):   {Memory.of(server.pid)}  [{empty.rows} rows]")

        seconds = asyncio.run(insert_people(organization_id, 1, args.small))
        print(f"inserted {args.small:,} people in {seconds:.1f} s")
        small = download(base_url, token)
        print(f"after exporting {args.small:>7,} rows:     {Memory.of(server.pid)}  [{small}]")

        seconds = asyncio.run(insert_people(organization_id, args.small + 1, args.rows))
        print(f"inserted {args.rows - args.small:,} more people in {seconds:.1f} s")
        large = download(base_url, token)
        print(f"after exporting {args.rows:>7,} rows:     {Memory.of(server.pid)}  [{large}]")
        again = download(base_url, token, {"status": ["LEAD", "QUALIFIED"], "sort": "LEAD_SCORE"})
        print(f"after a filtered, sorted export:   {Memory.of(server.pid)}  [{again}]")
        if (small.rows, large.rows) != (args.small, args.rows):
            raise SystemExit(f"expected {args.small} and {args.rows} rows, got {small.rows} and {large.rows}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
