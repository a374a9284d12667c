"""A real PgBouncer in transaction pooling mode in front of the test server (Debian's package, installed when
missing: CI runs as root). `pooled_url` is the test database's URL through it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.components import installed, running
from tests.live import free_port

SERVER_CONNECTIONS = 3
"""Few server connections for many clients: consecutive transactions of one client land on different ones."""
CONFIG = """[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""


@pytest.fixture(scope="session")
def pooled_url(database_url: str) -> Iterator[str]:
    # Not under pytest's tmp_path: its parents are private to root, and PgBouncer runs as `postgres`.
    with tempfile.TemporaryDirectory(prefix="winnerr-pgbouncer-", ignore_cleanup_errors=True) as name:
        yield from _pooler(database_url, Path(name))


def _pooler(database_url: str, directory: Path) -> Iterator[str]:
    server = make_url(database_url)
    listen_port = free_port()
    (directory / "userlist.txt").write_text(f'"{server.username}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        CONFIG.format(
            host=server.host,
            port=server.port or 5432,
            listen_port=listen_port,
            directory=directory,
            pool_size=SERVER_CONNECTIONS,
        )
    )
    command = [installed("pgbouncer", "pgbouncer"), *_unprivileged(directory), str(config)]
    with running(command, listen_port, lambda: _log(directory)):
        yield server.set(port=listen_port).render_as_string(hide_password=False)


def _unprivileged(directory: Path) -> list[str]:
    """PgBouncer refuses to run as root: as root, hand it the directory and let it switch to `postgres`."""
    if os.geteuid() != 0:
        return []
    shutil.chown(directory, "postgres")
    for path in directory.iterdir():
        shutil.chown(path, "postgres")
    return ["-u", "postgres"]


def _log(directory: Path) -> str:
    log = directory / "pgbouncer.log"
    return log.read_text() if log.exists() else "pgbouncer did not start"
