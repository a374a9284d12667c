"""With no DATABASE_URL the server runs on an embedded PostgreSQL kept in WINNERR_DATA_DIR across restarts."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt

from tests.cli import ME, NEUTRAL_DIRECTORY, WINNERR, succeeded, winnerr, without
from tests.conftest import TEST_JWT_SECRET
from tests.factories import PASSWORD

READY_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def postmaster_pid(pgdata: Path) -> int | None:
    """The pid of the PostgreSQL running on `pgdata`, if one is."""
    pid_file = pgdata / "postmaster.pid"
    try:
        return int(pid_file.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server the way an operator does (Ctrl-C), killing it if it does not go."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def stop_leftover_postgres(pgdata: Path) -> None:
    """Safety net: the embedded PostgreSQL must not outlive the test, even when the server had to be killed."""
    pid = postmaster_pid(pgdata)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`winnerr serve --port PORT`, stopped (or killed) on the way out."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(WINNERR), "serve", "--port", str(port)],
            env=env,
            cwd=NEUTRAL_DIRECTORY,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            stop(process)


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}:\n{log.read_text()}"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise AssertionError(f"not ready after {READY_TIMEOUT} s:\n{log.read_text()}")


def test_serves_from_an_embedded_postgres_and_keeps_its_data(cli_env: dict[str, str], tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    pgdata = data_dir / "postgres"
    env = {**without(cli_env, "DATABASE_URL"), "WINNERR_DATA_DIR": str(data_dir)}
    email = "owner@embedded.example.com"
    port = free_port()
    log = tmp_path / "serve.log"
    try:
        organization_id = succeeded(
            winnerr(env, "create-org", "--name", "Embedded Realty", "--owner-email", email, "--password", PASSWORD)
        )
        assert (pgdata / "PG_VERSION").is_file()

        with serving(env, port, log) as server:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_ready(base_url, server, log)
            login = httpx.post(
                f"{base_url}/auth/token",
                json={"grant_type": "password", "email": email, "password": PASSWORD},
                timeout=10,
            )
            assert login.status_code == 200, login.text
            answer = httpx.post(
                f"{base_url}/graphql",
                json={"query": ME.replace("me {", "pipelines { name } me {")},
                headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["pipelines"] == [{"name": "Sales"}], "tenant rows, as the runtime role"
            viewer = answer.json()["data"]["me"]
            assert viewer["organization"] == {"id": organization_id, "name": "Embedded Realty"}
            assert viewer["role"] == "OWNER"
        assert server.returncode is not None
        assert postmaster_pid(pgdata) is None, "the embedded PostgreSQL outlived the server"

        token = succeeded(winnerr(env, "token", "--email", email))
        claims = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"], audience="winnerr-api")
        assert claims["org"] == organization_id
        assert (pgdata / "PG_VERSION").is_file()
    finally:
        stop_leftover_postgres(pgdata)
