"""Rate limits in the `limits` library's notation, counted in a moving window.

`RateLimitMiddleware` runs after authentication and applies the limit that `winnerr.access` names for the route:
`RATE_LIMIT_API` per member (the principal authentication set; per client IP on public routes) or
`RATE_LIMIT_WEBHOOKS` per provider, and puts the IETF `RateLimit-*` headers on what it counts. Routes with no limit
(the probes, GraphiQL) are neither counted nor given the headers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from winnerr.access import PRINCIPAL_KEY, route_policy
from winnerr.auth.principal import Principal
from winnerr.errors import ErrorCode, RateLimited
from winnerr.settings import Settings

WEBHOOKS_PREFIX = "/webhooks/"


@dataclass(frozen=True, slots=True)
class Window:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_after)
        return headers


class RateLimiter:
    """One limit applied per key (e.g. IP and e-mail)."""

    def __init__(self, limit: RateLimitItem, storage: Storage | None = None) -> None:
        self.limit = limit
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    async def clear(self, *key: str) -> None:
        """Forget what `key` has used (a successful login forgives the failures before it)."""
        await self._limiter.clear(self.limit, *key)

    async def hit(self, *key: str) -> Window:
        """Count one request for `key`; the window says whether it was allowed."""
        return await self._window(await self._limiter.hit(self.limit, *key), *key)

    async def _window(self, allowed: bool, *key: str) -> Window:
        stats = await self._limiter.get_window_stats(self.limit, *key)
        reset_after = max(1, math.ceil(stats.reset_time - time.time()))
        return Window(allowed, self.limit.amount, stats.remaining, reset_after)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, api: RateLimiter) -> None:
        self.app = app
        self.api = api
        self.webhooks = RateLimiter(settings.rate_limit("webhooks"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        window = await self._hit(scope) if scope["type"] == "http" else None
        if window is None:
            await self.app(scope, receive, send)
            return
        if not window.allowed:
            error = RateLimited(window.reset_after)
            body = {"errors": [{"message": error.message, "extensions": {"code": ErrorCode.RATE_LIMITED.value}}]}
            await JSONResponse(body, status_code=429, headers=window.headers())(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(window.headers())
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _hit(self, scope: Scope) -> Window | None:
        """Count the request against its route's limit; `None` when the route has none."""
        limit = route_policy(scope).rate_limit
        if limit == "webhooks":
            provider = str(scope["path"]).removeprefix("/webhooks/").split("/")[0]
            return await self.webhooks.hit("webhook", provider)
        if limit == "api":
            return await self.api.hit("api", _caller(scope))
        return None


def member_key(principal: Principal) -> str:
    """The key of a member's API limit, the same over HTTP and websockets whatever issued their token."""
    return f"member:{principal.user_id}"


def _caller(scope: Scope) -> str:
    """The member that authentication found, else the client's address."""
    principal: Principal | None = scope.get(PRINCIPAL_KEY)
    if principal is not None:
        return member_key(principal)
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"
