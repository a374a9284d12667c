"""Where rate-limit counters live, shared by every instance: PostgreSQL (default) or Redis.

`PostgresStorage` is a `limits` async storage of our own over the UNLOGGED table `rate_limit_counters`
(migration 0007), for the sliding-window-counter strategy: two counters per key (the current and the previous
window, keyed as `limits` keys them), the previous one weighted by how much of it is still inside the window.
A hit is one statement: the upsert's `WHERE` is evaluated on the locked row, so two instances hitting the same
key at once cannot both take its last unit; it also answers the window's counts, which the window's stats that
`limits` asks for next reuse (one round trip per request). Rows of windows that ended are pruned at most once a
minute.

`shared_storage(settings, engine)` picks the storage: `RATE_LIMIT_URL` if set (`redis://…`, or `memory://` for a
single process), else a `redis://` `BROADCAST_URL` (the Redis the instances already share), else PostgreSQL.
"""

from __future__ import annotations

import math
import time
from typing import Any

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.base import SlidingWindowCounterSupport
from limits.storage.base import TimestampedSlidingWindow
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from winnerr.db.engine import PoolMode, async_url, connect_args
from winnerr.settings import Settings
from winnerr.uncancelled import to_the_end

PRUNE_EVERY_SECONDS = 60.0
POOL_SIZE = 4
SEEN_SIZE = 10_000

_ACQUIRE = text(
    """
    WITH previous AS (
        SELECT coalesce((SELECT count FROM rate_limit_counters WHERE key = :previous), 0) AS count
    ), acquired AS (
        INSERT INTO rate_limit_counters AS counter (key, count, expires_at)
        SELECT :current, CAST(:amount AS bigint), CAST(:expires_at AS float8) FROM previous
        WHERE floor(previous.count * CAST(:weight AS float8)) + CAST(:amount AS bigint) <= CAST(:limit AS bigint)
        ON CONFLICT (key) DO UPDATE SET count = counter.count + excluded.count
        WHERE floor((SELECT count FROM previous) * CAST(:weight AS float8) + counter.count) + excluded.count
            <= CAST(:limit AS bigint)
        RETURNING counter.count
    )
    SELECT (SELECT count FROM previous), (SELECT count FROM acquired),
        coalesce((SELECT count FROM rate_limit_counters WHERE key = :current), 0)
    """
)
"""Take `amount` from the window if it has room; answers the previous window's count, the current one's after
the hit (null when refused), and the current one's as it was before."""
_INCR = text(
    """
    INSERT INTO rate_limit_counters AS counter (key, count, expires_at)
    VALUES (:key, CAST(:amount AS bigint), CAST(:expires_at AS float8))
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN counter.expires_at > CAST(:now AS float8) THEN counter.count ELSE 0 END + excluded.count,
        expires_at = CASE WHEN counter.expires_at > CAST(:now AS float8)
            THEN counter.expires_at ELSE excluded.expires_at END
    RETURNING counter.count
    """
)
_COUNTS = text("SELECT key, count FROM rate_limit_counters WHERE key IN (:previous, :current)")
_GET = text("SELECT count, expires_at FROM rate_limit_counters WHERE key = :key AND expires_at > CAST(:now AS float8)")
_DELETE = text("DELETE FROM rate_limit_counters WHERE key IN (:first, :second)")
_PRUNE = text("DELETE FROM rate_limit_counters WHERE expires_at <= CAST(:now AS float8)")
_RESET = text("DELETE FROM rate_limit_counters")


class PostgresStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """`limits` counters in PostgreSQL, for `SlidingWindowCounterRateLimiter` (see the module's docstring)."""

    STORAGE_SCHEME = ["winnerr+postgresql"]

    def __init__(self, url: str, pool_size: int = POOL_SIZE, pool_mode: PoolMode = PoolMode.SESSION) -> None:
        super().__init__(None)
        # A pool of its own: single statements in autocommit (no BEGIN/COMMIT round trips), no pre-ping. Not
        # behind a transaction-mode pooler: there the statement SQLAlchemy prepares would be gone (on another
        # server connection) by the time it runs, unless a transaction holds the server connection.
        autocommit = pool_mode is PoolMode.SESSION
        self.engine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=2,
            isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
            connect_args=connect_args(pool_mode),
        )
        self._pruned_at = 0.0
        self._seen: dict[str, tuple[float, int, int]] = {}
        """The window each key's last hit read, kept until the window's stats are asked for (just after)."""

    async def close(self) -> None:
        await self.engine.dispose()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (SQLAlchemyError, OSError)

    async def _execute(self, statement: Any, **values: Any) -> list[Any]:
        values = {name: _bytes(value) if isinstance(value, str) else value for name, value in values.items()}
        return await to_the_end(self._run(statement, values))

    async def _run(self, statement: Any, values: dict[str, Any]) -> list[Any]:
        async with self.engine.begin() as connection:  # in autocommit, begin and commit send nothing
            result = await connection.execute(statement, values)
            return list(result) if result.returns_rows else []

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        rows = await self._execute(_INCR, key=key, amount=amount, expires_at=now + expiry, now=now)
        return int(rows[0][0])

    async def get(self, key: str) -> int:
        rows = await self._execute(_GET, key=key, now=time.time())
        return int(rows[0][0]) if rows else 0

    async def get_expiry(self, key: str) -> float:
        rows = await self._execute(_GET, key=key, now=time.time())
        return float(rows[0][1]) if rows else time.time()

    async def check(self) -> bool:
        try:
            await self._execute(text("SELECT 1"))
        except self.base_exceptions:
            return False
        return True

    async def reset(self) -> int | None:
        await self._execute(_RESET)
        return None

    async def clear(self, key: str) -> None:
        await self._execute(_DELETE, first=key, second=key)

    async def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        previous, current = self.sliding_window_keys(key, expiry, now)
        window_end = (math.floor(now / expiry) + 1) * expiry
        (previous_count, acquired, before), *_ = await self._execute(
            _ACQUIRE,
            previous=previous,
            current=current,
            amount=amount,
            limit=limit,
            weight=_previous_ttl(now, expiry) / expiry,
            expires_at=window_end + expiry,  # it is the previous window until then
        )
        self._remember(key, now, int(previous_count), int(before if acquired is None else acquired))
        await self._prune(now)
        return acquired is not None

    async def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        """The window's counts; those the key's hit just read if it was in this window (`limits` asks for the
        stats right after each hit: one statement per request instead of two)."""
        seen = self._seen.pop(key, None)
        now = time.time()
        if seen is not None and math.floor(seen[0] / expiry) == math.floor(now / expiry):
            previous_count, current_count = seen[1], seen[2]
        else:
            previous, current = self.sliding_window_keys(key, expiry, now)
            rows = await self._execute(_COUNTS, previous=previous, current=current)
            counts = {bytes(row[0]): int(row[1]) for row in rows}
            previous_count, current_count = counts.get(_bytes(previous), 0), counts.get(_bytes(current), 0)
        previous_ttl = _previous_ttl(now, expiry) if previous_count else 0.0
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous_count, previous_ttl, current_count, current_ttl

    def _remember(self, key: str, now: float, previous_count: int, current_count: int) -> None:
        if len(self._seen) >= SEEN_SIZE:
            self._seen.clear()  # stats that were never asked for: forget them all
        self._seen[key] = (now, previous_count, current_count)

    async def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous, current = self.sliding_window_keys(key, expiry, time.time())
        await self._execute(_DELETE, first=previous, second=current)

    async def _prune(self, now: float) -> None:
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            await self._execute(_PRUNE, now=now)


def _bytes(key: str) -> bytes:
    """A key as stored: any Python text, lone surrogates included, as bytes."""
    return key.encode("utf-8", "surrogatepass")


def _previous_ttl(now: float, expiry: int) -> float:
    """How much of the previous window is still inside the sliding window, in seconds (as `limits` has it)."""
    return (1 - (((now - expiry) / expiry) % 1)) * expiry


def shared_storage(settings: Settings, database_url: str) -> Storage:
    """The storage every instance shares (see the module's docstring)."""
    url = settings.rate_limit_url
    if url is None and settings.broadcast_url and settings.broadcast_url.startswith(("redis://", "rediss://")):
        url = settings.broadcast_url
    if url is None:
        return PostgresStorage(database_url, pool_mode=settings.database_pool_mode)
    if url.startswith("memory://"):
        return MemoryStorage()
    return RedisStorage(f"async+{url}", implementation="redispy", wrap_exceptions=True)
