"""Helpers shared by the benchmarks: the local PostgreSQL's admin connection, free ports, the `winnerr`
command and waiting for its server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def admin(statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the local server's maintenance database."""
    connection = await asyncpg.connect(SERVER_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


WINNERR = str(Path(sys.executable).parent / "winnerr")


def winnerr(env: dict[str, str], *arguments: str) -> str:
    """Run this venv's `winnerr` command; the last line it printed (an id, a token)."""
    done = subprocess.run([WINNERR, *arguments], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"winnerr {arguments[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def wait_until_up(base_url: str, server: subprocess.Popen[bytes]) -> None:
    """Wait (60 s at most) until the server answers /health."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"winnerr serve exited with {server.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit("winnerr serve did not answer /health within 60 s")


def bench_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of `winnerr` commands and servers on a bench database: this one's, without its own
    database, data dir and JWT settings, plus `settings` (e.g. `RATE_LIMIT_API="100000000/minute"`)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "WINNERR_", "JWT_"))}
    env.update(
        DATABASE_URL=database_url,
        JWT_SECRET="bench-secret-" + "x" * 40,
        WINNERR_LOG_LEVEL="warning",
        WINNERR_DATA_DIR=tempfile.mkdtemp(prefix="winnerr-bench-"),
        **settings,
    )
    return env
