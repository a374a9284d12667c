"""The metrics, and the small functions the rest of the app counts with.

Gauges are per process and summed over the live processes (`multiprocess_mode="livesum"`), so with several
workers a scrape shows the whole server. Label values come from fixed sets (routes, codes, providers, limits),
except operation names, which clients choose: this process labels at most `MAX_OPERATION_NAMES` distinct ones
and counts the rest as `other`, so a client cannot make the series grow without bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from prometheus_client import Counter, Gauge, Histogram
from starlette.routing import Match
from starlette.types import Scope

MAX_OPERATION_NAMES = 200
ANONYMOUS, OTHER = "anonymous", "other"
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "winnerr_http_requests", "HTTP requests answered, by route, method and status", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "winnerr_http_request_duration_seconds",
    "Time to answer an HTTP request, by route",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
OPERATIONS = Histogram(
    "winnerr_graphql_operation_duration_seconds",
    "GraphQL operations (over HTTP and websockets) and their duration, by operation name, type and outcome; "
    "its _count is the number of operations",
    ["operation_name", "operation_type", "outcome"],
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter("winnerr_graphql_errors", "GraphQL errors answered, by extensions.code", ["code"])
COMPILED_READS = Counter(
    "winnerr_compiled_reads",
    "Queries answered by the compiled read path, by path: extension (through Strawberry's executor, the first "
    "time a document is seen or when its plan depends on its variables) or lane (a known fixed plan)",
    ["path"],
)
COMPILED_BY_EXTENSION = COMPILED_READS.labels(path="extension")
COMPILED_BY_LANE = COMPILED_READS.labels(path="lane")
"""The two children, made once: the lane counts on every request it answers."""
WEBSOCKETS_OPEN = Gauge(
    "winnerr_websockets_open", "Authenticated websockets open", multiprocess_mode="livesum"
)
SUBSCRIPTIONS_OPEN = Gauge(
    "winnerr_subscriptions_open", "GraphQL subscriptions running", multiprocess_mode="livesum"
)
SUBSCRIPTION_DELIVERIES = Counter(
    "winnerr_subscription_deliveries", "Events delivered to subscriptions (one per subscription that got it)"
)
SUBSCRIPTION_DROPS = Counter(
    "winnerr_subscription_drops",
    "Subscriptions dropped, by reason (slow_consumer: its queue overflowed and its socket was closed with 1013)",
    ["reason"],
)
WEBHOOK_DELIVERIES = Counter(
    "winnerr_webhook_deliveries",
    "Webhook deliveries received, by provider and outcome (applied, failed, unmatched, duplicate, rejected_401, "
    "rejected_400, not_configured)",
    ["provider", "outcome"],
)
POOL_CONNECTIONS = Gauge(
    "winnerr_db_pool_connections",
    "Database pool connections, by pool (main, limits) and state (in_use, idle, overflow)",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
RATE_LIMIT_REFUSALS = Counter(
    "winnerr_rate_limit_refusals", "Requests refused by a rate limit or the cost budget, by limit", ["limit"]
)


class OperationNames:
    """The operation names this process labels: the first `limit` distinct ones, then `other`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._seen:
            return name
        if len(self._seen) >= self.limit or not NAME.fullmatch(name):
            return OTHER
        self._seen.add(name)
        return name


operation_names = OperationNames()


def operation_finished(
    name: str | None, operation_type: str | None, codes: Iterable[str], seconds: float
) -> None:
    """Count one GraphQL operation, its duration, and each of its errors by code."""
    codes = list(codes)
    for code in codes:
        _error_series(code).inc()
    outcome = "error" if codes else "ok"
    _operation_series(operation_names.label(name), operation_type or "unknown", outcome).observe(seconds)


@lru_cache(maxsize=2048)
def _operation_series(name: str, operation_type: str, outcome: str) -> Histogram:
    """The series an operation counts in, looked up once per combination: names are already bounded
    (`OperationNames`), types and outcomes are a few, and a combination that falls out of the cache is merely
    looked up again."""
    return OPERATIONS.labels(operation_name=name, operation_type=operation_type, outcome=outcome)


@lru_cache(maxsize=256)
def _error_series(code: str) -> Counter:
    """The series an error code counts in (the contract's codes, plus `UNKNOWN`)."""
    return ERRORS.labels(code=code)


def route_of(scope: Scope) -> str:
    """The path of the route that answered, or would have (a request refused by a middleware before the router
    ran, such as a 401 or a 429, is labelled with its route too); `other` when no route matches."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        routes = getattr(app, "routes", ())
        route = next((candidate for candidate in routes if candidate.matches(scope)[0] is Match.FULL), None)
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else OTHER


def request_finished(scope: Scope, status: int, seconds: float) -> None:
    """Count one answered HTTP request by route, method and status, and its duration."""
    count, latency = _request_series(route_of(scope), scope["method"], status)
    count.inc()
    latency.observe(seconds)


@lru_cache(maxsize=1024)
def _request_series(route: str, method: str, status: int) -> tuple[Counter, Histogram]:
    """The series a request of this route, method and status counts in (a route is a declared path, never the
    client's, so the combinations are few); looked up once each, not on every request."""
    return HTTP_REQUESTS.labels(route=route, method=method, status=str(status)), HTTP_LATENCY.labels(route=route)
