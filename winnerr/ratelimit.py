"""Rate limits in the `limits` library's notation, counted in a moving window."""

from __future__ import annotations

import time

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from winnerr.errors import RateLimited


class RateLimiter:
    """One limit applied per key (e.g. IP and e-mail)."""

    def __init__(self, limit: RateLimitItem, storage: Storage | None = None) -> None:
        self.limit = limit
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    async def check(self, *key: str) -> None:
        """Raise `RateLimited` (with the seconds to wait) when `key` has used up its limit."""
        if not await self._limiter.test(self.limit, *key):
            raise RateLimited(await self.retry_after(*key))

    async def hit(self, *key: str) -> None:
        await self._limiter.hit(self.limit, *key)

    async def retry_after(self, *key: str) -> int:
        stats = await self._limiter.get_window_stats(self.limit, *key)
        return max(1, int(stats.reset_time - time.time()) + 1)
