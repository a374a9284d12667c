"""The hub: publishing notices after commit, and subscribing to an organization's channel."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from winnerr.subscriptions.broadcast import DEFAULT_QUEUE_SIZE, DependableBroadcast, Subscription, backend_for
from winnerr.subscriptions.events import Notice, channel_of
from winnerr.subscriptions.fanout import Feeds
from winnerr.subscriptions.shared import SharedLoads

logger = logging.getLogger("winnerr.broadcast")


class Hub:
    """One channel per organization (`org:<id>`), on the backend `BROADCAST_URL` names."""

    def __init__(self, url: str, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._broadcast = DependableBroadcast(backend_for(url), queue_size, decode=Notice.decode)
        self.shared = SharedLoads()
        self.feeds = Feeds()

    async def start(self) -> None:
        await self._broadcast.connect()

    async def stop(self) -> None:
        await self.feeds.close()
        await self._broadcast.disconnect()

    async def publish(self, notices: Sequence[Notice]) -> None:
        """Tell subscribers about committed events. A failure here loses nothing: the events are stored,
        and subscribers notice the gap in sequence numbers and read them back."""
        for notice in notices:
            try:
                await self._broadcast.publish(channel_of(notice.organization_id), notice.encode())
            except Exception:
                logger.exception("Could not publish event %s of %s", notice.sequence, notice.organization_id)

    @asynccontextmanager
    async def subscribe(self, organization_id: uuid.UUID) -> AsyncIterator[Subscription]:
        async with self._broadcast.subscribe(channel_of(organization_id)) as subscription:
            yield subscription
