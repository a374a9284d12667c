"""Which HTTP routes need a token and which rate limit counts them: one table, read by both middlewares.

`route_policy(scope)` answers for a request; the first rule whose path matches wins. The probes, `/metrics` (it
checks `METRICS_TOKEN` itself) and GraphiQL (its page and its assets) need no JWT and are never rate-limited, so a
load balancer or a browser reloading the IDE can never be refused; every other route counts against a limit (`api`,
`exports` or `webhooks`, the names of the `RATE_LIMIT_*` settings; an export counts against `RATE_LIMIT_EXPORTS`
alone, the stricter). Websockets authenticate in `connection_init` and are counted per operation there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from starlette.types import Scope

from winnerr.raw_headers import header

PRINCIPAL_KEY = "winnerr.principal"
"""Where authentication puts the request's `Principal` in the ASGI scope."""
GRAPHQL_PATH = "/graphql"
GRAPHIQL_ASSETS = "/graphiql/static/"

LimitName = Literal["api", "exports", "webhooks"]


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    authenticated: bool
    """A valid `Authorization: Bearer` token is required (401 otherwise)."""
    rate_limit: LimitName | None
    """The limit that counts the request (`RATE_LIMIT_API`, `RATE_LIMIT_EXPORTS`, `RATE_LIMIT_WEBHOOKS`), or none."""


PROTECTED = RoutePolicy(authenticated=True, rate_limit="api")
EXPORT = RoutePolicy(authenticated=True, rate_limit="exports")
PUBLIC = RoutePolicy(authenticated=False, rate_limit="api")
WEBHOOK = RoutePolicy(authenticated=False, rate_limit="webhooks")
UNLIMITED = RoutePolicy(authenticated=False, rate_limit=None)


def wants_graphiql(scope: Scope) -> bool:
    """A browser navigating to /graphql (it gets GraphiQL, which then sends the token itself)."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != GRAPHQL_PATH:
        return False
    return "text/html" in (header(scope, b"accept") or "")


def _exactly(*paths: str) -> Callable[[Scope], bool]:
    return lambda scope: scope["path"] in paths


def _under(prefix: str) -> Callable[[Scope], bool]:
    return lambda scope: str(scope["path"]).startswith(prefix)


RULES: tuple[tuple[Callable[[Scope], bool], RoutePolicy], ...] = (
    (_exactly("/health", "/ready", "/metrics"), UNLIMITED),
    (wants_graphiql, UNLIMITED),
    (_under(GRAPHIQL_ASSETS), UNLIMITED),
    (_exactly(GRAPHQL_PATH, "/auth/debug"), PROTECTED),
    (_under("/export/"), EXPORT),
    (_under("/webhooks/"), WEBHOOK),
)
"""Path rules, first match wins; anything else (`/auth/token`, `/`, unknown paths) is `PUBLIC`."""


POLICY_KEY = "winnerr.route_policy"


def route_policy(scope: Scope) -> RoutePolicy:
    """The policy of an HTTP request, found once (the authentication and the limits both ask)."""
    policy: RoutePolicy | None = scope.get(POLICY_KEY)
    if policy is None:
        policy = scope[POLICY_KEY] = next((policy for matches, policy in RULES if matches(scope)), PUBLIC)
    return policy
