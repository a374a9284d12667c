"""Real components the tests run next to the server (PgBouncer, HAProxy): Debian's package installed when the
program is missing (CI is a clean machine, run as root), started as a subprocess and waited for until it listens."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
START_SECONDS = 10.0


def installed(program: str, package: str) -> str:
    """The path of `program`, installing Debian's `package` first when it is missing."""
    if shutil.which(program, path=SEARCH_PATH) is None:
        _apt_install(package)
    binary = shutil.which(program, path=SEARCH_PATH)
    assert binary is not None, f"{package} could not be installed"
    return binary


def _apt_install(package: str) -> None:
    """`apt-get install`, after `apt-get update` if the package lists do not know it (a fresh machine)."""
    install = ["apt-get", "install", "-y", "-q", package]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=environment, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=environment, check=True, capture_output=True)
        subprocess.run(install, env=environment, check=True, capture_output=True)


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def running(
    command: list[str], port: int, log: Callable[[], str], output: IO[bytes] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` as a subprocess (its standard output and error to `output` if given), once it listens on
    `port`, until the block ends; if it exits or does not listen in time, the test fails with what `log` returns."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not listening(port):
            assert process.poll() is None, log()
            assert time.monotonic() < deadline, log()
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
