"""Rate limits in the `limits` library's notation, counted in shared storage with a per-process guard in front.

Every limit counts with `limits`' sliding window counter in the storage all instances share
(`winnerr.limits_storage`: PostgreSQL by default, or Redis), so two instances together allow what one would.
In front of the storage, each process remembers the keys it saw refused until their `Retry-After` has passed
(`RefusalGuard`): a flood past a limit is refused from memory and does not reach the database on every request.
And it takes units ahead of use (`Lease`): a hit the process has nothing leased for takes units from the shared
window in one statement, and the next hits in the same fixed window spend them from memory. A key's first lease
is just what its hit costs; each next one twice the last, up to a twentieth of the limit (one lease at a time per
key: hits that come while one is being taken take just their own cost): a member's steady
traffic costs one statement per twentieth of their limit, not one per request, while a key a process sees once
costs exactly its hit. Units are counted in the shared storage when they are leased, so all instances together
never allow more than the limit: a process's unspent lease is simply lost when the window turns or the process
stops (at most about twice what it spent, and a twentieth of the limit: the limit gets stricter, never looser).
When the window has less room than a lease, the hit takes exactly its own cost, so the last units of a limit are
shared exactly. `RateLimit-Remaining` is the storage's count as of the process's last lease, less what it spent
since.

`Limits` holds the app's limiters: `RATE_LIMIT_AUTH` (failed logins per IP + e-mail), `RATE_LIMIT_API` (per
member; per client IP on public routes), `RATE_LIMIT_WEBHOOKS` (per provider), `RATE_LIMIT_WEBSOCKETS`
(websocket openings per member), `RATE_LIMIT_EXPORTS` (CSV exports per member) and `COST_BUDGET` (query-cost
points per member, `winnerr.schema.budget`).

`RateLimitMiddleware` runs after authentication has identified the caller and before it requires a token, so a
401 is counted (per client IP) and carries the headers too. It applies the limit `winnerr.access` names for the
route and puts the IETF `RateLimit-*` headers on what it counts; routes with no limit (the probes, GraphiQL)
are neither counted nor given the headers. The client IP is the socket's peer: the server (`winnerr serve`)
believes `X-Forwarded-For` only from `TRUSTED_PROXIES`.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from winnerr.access import PRINCIPAL_KEY, route_policy
from winnerr.auth.principal import Principal
from winnerr.errors import ErrorCode, RateLimited
from winnerr.observability.metrics import RATE_LIMIT_REFUSALS
from winnerr.settings import Settings

logger = logging.getLogger("winnerr.ratelimit")

GUARD_SIZE = 10_000
"""The most refused keys (and the most leases) a process remembers (the oldest are forgotten first)."""
LEASE_PARTS = 20
"""A lease is at most this fraction of a limit (a twentieth; at least one unit)."""


@dataclass(frozen=True, slots=True)
class Window:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int
    """Seconds until the request would be allowed (when refused), or until one more unit frees up."""

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_after)
        return headers

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """`headers()` as an ASGI message carries them."""
        return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in self.headers().items()]


class RefusalGuard:
    """The keys this process saw refused, until when: answered from memory instead of the storage."""

    def __init__(self, size: int = GUARD_SIZE) -> None:
        self.size = size
        self._until: dict[str, float] = {}

    def refused_for(self, key: str, now: float) -> float:
        """Seconds the key stays refused (0 when it is not, or no longer)."""
        until = self._until.get(key, 0.0)
        if until <= now:
            self._until.pop(key, None)
            return 0.0
        return until - now

    def refuse(self, key: str, until: float) -> None:
        if len(self._until) >= self.size:
            del self._until[next(iter(self._until))]
        self._until[key] = until

    def forget(self, key: str) -> None:
        self._until.pop(key, None)


@dataclass(slots=True)
class Lease:
    """Units a process took from a key's shared window ahead of use, spent from memory (see the module)."""

    window: int
    """Which of the limit's fixed windows the units were taken in: they are spent in that one only."""
    size: int
    """How many units were taken (the next lease takes twice as many, up to the limit's largest)."""
    left: int
    remaining: int
    """What the shared window had left once they were taken."""
    reset_at: float

    def spend(self, cost: int, window: int, now: float, limit: int) -> Window | None:
        """Spend `cost` units if this lease holds them in `window`; None when it cannot."""
        if window != self.window or cost > self.left:
            return None
        self.left -= cost
        return Window(True, limit, self.remaining + self.left, max(1, math.ceil(self.reset_at - now)))



class Leases:
    """Each key's lease in this process, the oldest forgotten first past `size`. Hits of one key may wait on the
    storage at the same time: each takes what its key's lease held before it waits (`withdraw`) and adds what
    it took after (`deposit`), so no unit is spent twice or lost between them."""

    def __init__(self, size: int = GUARD_SIZE) -> None:
        self.size = size
        self._leases: dict[str, Lease] = {}

    def get(self, key: str) -> Lease | None:
        return self._leases.get(key)

    def withdraw(self, key: str, window: int) -> tuple[int, int]:
        """Empty the key's lease: (its units still good in `window`, the size it was taken at)."""
        lease = self._leases.get(key)
        if lease is None:
            return 0, 0
        units = lease.left if lease.window == window else 0
        lease.left -= units
        return units, lease.size

    def deposit(self, key: str, window: int, units: int, *, size: int, remaining: int, reset_at: float) -> Lease:
        """Add `units` to the key's lease in `window` (a lease of an earlier window is replaced)."""
        lease = self._leases.get(key)
        if lease is None or lease.window != window:
            lease = Lease(window, size, 0, remaining, reset_at)
            self._put(key, lease)
        lease.left += units
        lease.size = max(lease.size, size)
        lease.remaining, lease.reset_at = remaining, reset_at
        return lease

    def _put(self, key: str, lease: Lease) -> None:
        self._leases.pop(key, None)
        if len(self._leases) >= self.size:
            del self._leases[next(iter(self._leases))]
        self._leases[key] = lease

    def forget(self, key: str) -> None:
        self._leases.pop(key, None)


class RateLimiter:
    """One limit applied per key (e.g. IP and e-mail), in `storage` (in memory when none is given); its refusals
    are counted in the metrics under `name`."""

    def __init__(self, limit: RateLimitItem, storage: Storage | None = None, name: str = "other") -> None:
        self.limit = limit
        self.name = name
        self.lease_size = max(1, limit.amount // LEASE_PARTS)
        self._expiry = limit.get_expiry()
        self._keys: dict[tuple[str, ...], str] = {}
        """Each key's text in the storage (`limit.key_for`), made once: every hit looks its key's lease up by it."""
        self._limiter = SlidingWindowCounterRateLimiter(storage or MemoryStorage())
        self._guard = RefusalGuard()
        self._leases = Leases()
        self._leasing: set[str] = set()
        """Keys a hit of this process is taking a lease for right now."""

    async def clear(self, *key: str) -> None:
        """Forget what `key` has used (a successful login forgives the failures before it)."""
        guarded = self._key(key)
        self._guard.forget(guarded)
        self._leases.forget(guarded)
        await self._limiter.clear(self.limit, *key)

    async def hit(self, *key: str, cost: int = 1) -> Window:
        """Count `cost` units for `key` (0 reads the window); the window says whether they were allowed. A cost
        above the whole limit is counted as the whole limit (it needs the full window, and no more)."""
        cost = min(cost, self.limit.amount)
        guarded = self._key(key)
        now = time.time()
        window = self._window(now)
        lease = self._leases.get(guarded)
        if lease is not None and (spent := lease.spend(cost, window, now, self.limit.amount)) is not None:
            return spent  # leased units are spent first: another hit's refusal may have come while they arrived
        if waiting := self._guard.refused_for(guarded, now):
            RATE_LIMIT_REFUSALS.labels(limit=self.name).inc()
            return Window(False, self.limit.amount, 0, max(1, math.ceil(waiting)))
        unspent, last_size = self._leases.withdraw(guarded, window)
        leasing = guarded not in self._leasing  # one lease in flight per key: the other hits take just their cost
        self._leasing.add(guarded)
        try:
            wanted = 2 * last_size if leasing else 0
            allowed, taken = await self._take(key, cost - unspent, wanted) if cost > 0 else (True, 0)
            stats = await self._limiter.get_window_stats(self.limit, *key)
        except StorageError as error:  # Redis away: let the request through rather than refuse everyone
            logger.warning("Rate-limit storage unreachable, not counting: %s", error)
            return Window(True, self.limit.amount, self.limit.amount, 1)
        finally:
            if leasing:
                self._leasing.discard(guarded)
        reset_after = max(1, math.ceil(stats.reset_time - now))
        if not allowed:
            kept = self._deposit(guarded, window, unspent, last_size, stats.remaining, stats.reset_time)
            if (spent := kept.spend(cost, window, now, self.limit.amount)) is not None:
                return spent  # a lease taken by another hit while this one waited holds the units
            RATE_LIMIT_REFUSALS.labels(limit=self.name).inc()
            reset_after = max(reset_after, self._seconds_to_refill(cost - kept.left - stats.remaining))
            self._guard.refuse(guarded, now + reset_after)
            return Window(False, self.limit.amount, kept.remaining + kept.left, reset_after)
        kept = self._deposit(guarded, window, unspent + taken - cost, taken, stats.remaining, stats.reset_time)
        return Window(True, self.limit.amount, kept.remaining + kept.left, reset_after)

    def _deposit(self, key: str, window: int, units: int, size: int, remaining: int, reset_at: float) -> Lease:
        return self._leases.deposit(key, window, units, size=size, remaining=remaining, reset_at=reset_at)

    async def _take(self, key: tuple[str, ...], needed: int, wanted: int) -> tuple[bool, int]:
        """Take a lease of `wanted` units (at most the largest lease), at least `needed`, from the shared window,
        or exactly `needed` when it has less room than that: whether they were taken, and how many."""
        if needed <= 0:
            return True, 0
        lease = max(needed, min(wanted, self.lease_size))
        if await self._limiter.hit(self.limit, *key, cost=lease):
            return True, lease
        if lease > needed and await self._limiter.hit(self.limit, *key, cost=needed):
            return True, needed
        return False, 0

    def _key(self, key: tuple[str, ...]) -> str:
        guarded = self._keys.get(key)
        if guarded is None:
            if len(self._keys) >= GUARD_SIZE:
                del self._keys[next(iter(self._keys))]
            guarded = self._keys[key] = self.limit.key_for(*key)
        return guarded

    def _window(self, now: float) -> int:
        """The number of the limit's fixed window `now` falls in (as the sliding window counter keys them)."""
        return math.floor(now / self._expiry)

    def _seconds_to_refill(self, missing: int) -> int:
        """How long `missing` units take to come back at the limit's average rate (amount per period)."""
        return math.ceil(missing * self._expiry / self.limit.amount)


@dataclass(frozen=True, slots=True)
class Limits:
    """The app's limiters, all counting in one shared storage (see the module's docstring)."""

    storage: Storage
    auth: RateLimiter
    api: RateLimiter
    webhooks: RateLimiter
    websockets: RateLimiter
    exports: RateLimiter
    cost: RateLimiter

    def engines(self) -> dict[str, AsyncEngine]:
        """The storage's own database pool, by name, when it has one (the PostgreSQL storage)."""
        engine = getattr(self.storage, "engine", None)
        return {"limits": engine} if isinstance(engine, AsyncEngine) else {}

    async def close(self) -> None:
        """Release the storage's connections (the PostgreSQL storage has a pool of its own)."""
        close = getattr(self.storage, "close", None)
        if close is not None:
            await close()

    @classmethod
    def of(cls, settings: Settings, storage: Storage | None = None) -> Limits:
        storage = storage or MemoryStorage()

        def limiter(name: str) -> RateLimiter:
            return RateLimiter(settings.rate_limit(name), storage, name)

        return cls(
            storage=storage,
            auth=limiter("auth"),
            api=limiter("api"),
            webhooks=limiter("webhooks"),
            websockets=limiter("websockets"),
            exports=limiter("exports"),
            cost=RateLimiter(settings.cost_budget_item, storage, "cost"),
        )


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
                _add_headers(message, window)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _hit(self, scope: Scope) -> Window | None:
        """Count the request against its route's limit; `None` when the route has none."""
        name = route_policy(scope).rate_limit
        if name is None:
            return None
        from winnerr.state import STATE_KEY  # the app's state holds its limiters (and imports this module)

        limits: Limits = scope["state"][STATE_KEY].limits
        if name == "webhooks":
            provider = str(scope["path"]).removeprefix("/webhooks/").split("/")[0]
            return await limits.webhooks.hit("webhook", provider)
        limiter = limits.exports if name == "exports" else limits.api
        return await limiter.hit(name, _caller(scope))


COUNTED_HEADERS = frozenset(name for name, _ in Window(True, 1, 1, 1).raw_headers())
"""The names of the headers an allowed request's answer gets."""


def _add_headers(message: Message, window: Window) -> None:
    """Set an allowed window's headers on a response's start message: appended to its raw list, unless it has
    one of them already (then replaced, by `MutableHeaders`)."""
    headers = message.get("headers", ())
    if any(name in COUNTED_HEADERS for name, _ in headers):
        MutableHeaders(scope=message).update(window.headers())
    else:
        message["headers"] = [*headers, *window.raw_headers()]


def member_key(principal: Principal) -> str:
    """The key of a member's limits, the same over HTTP and websockets whatever issued their token."""
    return _member_key(principal.user_id)


@lru_cache(maxsize=GUARD_SIZE)
def _member_key(user_id: uuid.UUID) -> str:
    """Made once per member: a UUID's text costs more than the lookup (the middleware and the cost budget both
    ask on every request)."""
    return f"member:{user_id}"


def client_ip(scope: Scope) -> str:
    """The client's address: the socket's peer (the server rewrote it from `X-Forwarded-For` only when the
    peer is one of `TRUSTED_PROXIES`)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _caller(scope: Scope) -> str:
    """The member that authentication identified, else the client's address."""
    principal: Principal | None = scope.get(PRINCIPAL_KEY)
    if principal is not None:
        return member_key(principal)
    return f"ip:{client_ip(scope)}"
