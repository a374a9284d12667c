"""`GET /metrics`: the Prometheus text, for the holder of `METRICS_TOKEN`, or on `METRICS_PORT` alone.

With `METRICS_PORT` set, the API's own port answers 404 here and `winnerr serve` exposes the metrics on that port
(`serve_on_port`, one listener in the serving process, whatever the number of workers). With `METRICS_TOKEN`
set, this route answers the scrape that presents it as `Authorization: Bearer`; without either, metrics are off
(404 saying how to turn them on). In a server with several workers (`PROMETHEUS_MULTIPROC_DIR` set, which
`winnerr serve --workers N` does) a scrape adds up what every process wrote (`scraped_registry`).
"""

from __future__ import annotations

import hmac
import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    start_http_server,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from winnerr.auth.tokens import bearer_token
from winnerr.errors import DomainError, ErrorCode
from winnerr.http_errors import json_error
from winnerr.settings import Settings
from winnerr.state import app_state

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
OFF_MESSAGE = "Metrics are off: set METRICS_TOKEN (read them here) or METRICS_PORT (read them on that port)"


def scraped_registry() -> CollectorRegistry:
    """What a scrape reads: every worker's values when they share `PROMETHEUS_MULTIPROC_DIR`, else this process's."""
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def _presents(request: Request, token: str) -> bool:
    try:
        presented = bearer_token(request.headers.get("authorization"))
    except DomainError:
        return False
    return hmac.compare_digest(presented.encode(), token.encode())


async def metrics(request: Request) -> Response:
    settings = app_state(request).settings
    if settings.metrics_port is not None or settings.metrics_token is None:
        message = "Not found" if settings.metrics_port is not None else OFF_MESSAGE
        return json_error(404, message, ErrorCode.NOT_FOUND)
    if not _presents(request, settings.metrics_token):
        return json_error(401, "Unauthorized: send METRICS_TOKEN as a Bearer token", ErrorCode.UNAUTHENTICATED)
    return Response(generate_latest(scraped_registry()), media_type=CONTENT_TYPE_LATEST)


def prepare_workers(workers: int) -> None:
    """Before `winnerr serve` starts its workers: with more than one, give them a shared, empty directory for
    their values (the operator's `PROMETHEUS_MULTIPROC_DIR` if set, else a new temporary one)."""
    chosen = os.environ.get(MULTIPROC_DIR)
    if chosen:
        directory = Path(chosen)
        shutil.rmtree(directory, ignore_errors=True)  # values of a previous run would be added to this one's
        directory.mkdir(parents=True)
    elif workers > 1:
        os.environ[MULTIPROC_DIR] = tempfile.mkdtemp(prefix="winnerr-metrics-")


def serve_on_port(settings: Settings, host: str) -> None:
    """With `METRICS_PORT`, serve the metrics on it from this process (a thread of prometheus-client's)."""
    if settings.metrics_port is not None:
        start_http_server(settings.metrics_port, addr=host, registry=scraped_registry())


def process_stopped() -> None:
    """A worker that stops takes its gauges with it (a live sum must not count a process that is gone)."""
    if os.environ.get(MULTIPROC_DIR):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


routes = [Route("/metrics", metrics, methods=["GET"])]
