"""The database pools' connections in the metrics (in use, idle, overflow), written every second.

SQLAlchemy's pool events fire before a returned connection is counted back in, so the gauges are read from the
pools on a timer instead: each process writes its own, and a scrape of a server with several workers adds them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from winnerr.observability.metrics import POOL_CONNECTIONS

REPORT_SECONDS = 1.0


class PoolGauges:
    """Writes `winnerr_db_pool_connections` for each named engine's pool while started."""

    def __init__(self, engines: Mapping[str, AsyncEngine], every: float = REPORT_SECONDS) -> None:
        self.pools = {name: engine.sync_engine.pool for name, engine in engines.items()}
        self.every = every
        self._task: asyncio.Task[None] | None = None

    def report(self) -> None:
        for name, pool in self.pools.items():
            if not isinstance(pool, QueuePool):  # a pool that keeps no counts: nothing to report
                continue
            POOL_CONNECTIONS.labels(pool=name, state="in_use").set(pool.checkedout())
            POOL_CONNECTIONS.labels(pool=name, state="idle").set(pool.checkedin())
            POOL_CONNECTIONS.labels(pool=name, state="overflow").set(max(0, pool.overflow()))

    async def start(self) -> None:
        self.report()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.report()
