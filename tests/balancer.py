"""A real HAProxy (Debian's package, installed when missing: CI runs as root) running the shipped
deploy/haproxy.cfg in front of instances on this machine: their ports in place of `api1:8000`, `api2:8000`, its
own port in place of `:8080`, and one line more, so that every answer names the instance that gave it in
`X-Winnerr-Backend` (its server's name in the file: `api1`, `api2`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.components import installed, running
from tests.live import free_port

DEPLOYED = Path(__file__).parents[1] / "deploy" / "haproxy.cfg"
BACKEND_HEADER = "X-Winnerr-Backend"
SERVER_NAMES = ("api1", "api2")


def configured(backend_ports: Sequence[int], listen_port: int) -> str:
    """deploy/haproxy.cfg pointed at the instances on `backend_ports`, listening on `listen_port`."""
    text = DEPLOYED.read_text(encoding="utf-8")
    for name, port in zip(SERVER_NAMES, backend_ports, strict=True):
        text = _replaced(text, f"{name}:8000", f"127.0.0.1:{port}")
    text = _replaced(text, "bind :8080", f"bind 127.0.0.1:{listen_port}")
    named = f"\nbackend winnerr\n    http-response set-header {BACKEND_HEADER} %s\n"
    return _replaced(text, "\nbackend winnerr\n", named)


def _replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/haproxy.cfg should have {old!r} once"
    return text.replace(old, new)


@contextmanager
def balancing(backend_ports: Sequence[int], directory: Path) -> Iterator[str]:
    """HAProxy over the instances listening on `backend_ports` until the block ends; yields its host:port.
    Its configuration and log are kept in `directory`."""
    listen_port = free_port()
    config = directory / "haproxy.cfg"
    config.write_text(configured(backend_ports, listen_port), encoding="utf-8")
    log = directory / "haproxy.log"
    command = [installed("haproxy", "haproxy"), "-db", "-f", str(config)]
    with log.open("wb") as output, running(command, listen_port, log.read_text, output):
        yield f"127.0.0.1:{listen_port}"
