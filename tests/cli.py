"""The operator's view: running the `winnerr` command as a subprocess, and logging in as the members it makes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.live import free_port

WINNERR = Path(sys.executable).parent / "winnerr"
# A directory without a `.env`, so that only the environment given to a run configures it.
NEUTRAL_DIRECTORY = Path(__file__).parent

ME = "{ me { role user { email } organization { id name } } }"


def winnerr(env: Mapping[str, str], *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run `winnerr ARGS` with exactly `env` as its environment."""
    return subprocess.run(
        [str(WINNERR), *args],
        env=dict(env),
        cwd=NEUTRAL_DIRECTORY,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def winnerr_async(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`winnerr` from an async test, without blocking the event loop the app runs on."""
    return await asyncio.to_thread(winnerr, env, *args)


@asynccontextmanager
async def serving(
    env: Mapping[str, str], *args: str, output: Path | None = None, log: Path | None = None
) -> AsyncIterator[str]:
    """`winnerr serve ARGS` on a free port until the block ends; yields its base URL once /health answers.
    Its standard output goes to the file `output`, its standard error (the logs) to the file `log`, if given
    (else nowhere)."""
    port = free_port()
    stdout = output.open("wb") if output is not None else None
    stderr = log.open("wb") if log is not None else None
    server = await asyncio.create_subprocess_exec(
        str(WINNERR),
        "serve",
        "--port",
        str(port),
        *args,
        env=dict(env),
        cwd=NEUTRAL_DIRECTORY,
        stdout=stdout or asyncio.subprocess.DEVNULL,
        stderr=stderr or asyncio.subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with asyncio.timeout(120), httpx.AsyncClient(base_url=base_url) as client:
            while server.returncode is None:
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            assert server.returncode is None, f"winnerr serve exited with {server.returncode}"
        yield base_url
    finally:
        if server.returncode is None:
            server.terminate()
        await server.wait()
        for file in (stdout, stderr):
            if file is not None:
                file.close()


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    """The stripped standard output of a run that must have exited with 0."""
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result.stdout.strip()


def failed(result: subprocess.CompletedProcess[str]) -> str:
    """The standard error of a run that must have failed cleanly: non-zero exit, no traceback, no output."""
    assert result.returncode != 0, f"unexpected success\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == "", result.stdout
    return result.stderr


def without(env: Mapping[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in names}


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    """An access token from `POST /auth/token` (password grant); the login must succeed."""
    response = await client.post("/auth/token", json={"grant_type": "password", "email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def graphql(client: httpx.AsyncClient, token: str, query: str) -> dict[str, Any]:
    """Run a query that must succeed as the holder of `token`; return its data."""
    response = await client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def me(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    viewer: dict[str, Any] = (await graphql(client, token, ME))["me"]
    return viewer
