"""Broadcasting through `broadcaster`, made dependable for sockets that stay open all day.

broadcaster 0.3.1 as shipped has a PostgreSQL backend on one connection that never reconnects, a
KeyError race when many subscribe to a channel at once, no publish lock and unbounded queues. Here:

- `ReconnectingPostgresBackend` LISTENs on a connection that is re-established with backoff after a drop
  (and re-LISTENs every channel), publishes through its own pool under a lock, and tells every channel's
  subscribers that it reconnected, so they catch up from the events table;
- `DependableBroadcast` serialises subscribe/unsubscribe and bounds each subscriber's queue: a subscriber
  that falls behind is told so (`SlowConsumer`) instead of growing memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlparse

import asyncpg
from broadcaster import Broadcast, Event
from broadcaster._backends.base import BroadcastBackend
from broadcaster._backends.memory import MemoryBackend
from redis import asyncio as redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from winnerr.uncancelled import to_the_end

logger = logging.getLogger("winnerr.broadcast")

RECONNECTED = "__reconnected__"
OVERFLOWED = "__overflowed__"
DEFAULT_QUEUE_SIZE = 256
MAX_BACKOFF_SECONDS = 5.0
HEALTH_CHECK_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 5.0
LISTENER_NAME = "winnerr-listen"


class SlowConsumer(Exception):
    """The subscriber's queue overflowed: it was too slow to keep up and has been dropped."""


class ReconnectingPostgresBackend(BroadcastBackend):
    """LISTEN/NOTIFY that survives a dropped connection."""

    def __init__(self, url: str) -> None:
        self._url = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._publish_lock = asyncio.Lock()
        self._listen_lock = asyncio.Lock()  # one operation at a time on the LISTEN connection
        self._listen: asyncpg.Connection | None = None
        self._publisher: asyncpg.Connection | None = None
        self._watchdog: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Listen now if the database answers; if not, the watchdog keeps trying (the app still starts)."""
        try:
            self._listen = await self._open_listener()
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as error:
            logger.warning("LISTEN connection not available yet: %s", error)
        self._watchdog = asyncio.create_task(self._keep_listening())

    async def disconnect(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        for connection in (self._listen, self._publisher):
            if connection is not None and not connection.is_closed():
                await connection.close()

    async def subscribe(self, channel: str) -> None:
        await to_the_end(self._listen_to(channel, listening=True))

    async def unsubscribe(self, channel: str) -> None:
        await to_the_end(self._listen_to(channel, listening=False))

    async def _listen_to(self, channel: str, *, listening: bool) -> None:
        async with self._listen_lock:
            (self._channels.add if listening else self._channels.discard)(channel)
            if self._listen is None or self._listen.is_closed():
                return
            change = self._listen.add_listener if listening else self._listen.remove_listener
            await change(channel, self._on_notification)


    async def publish(self, channel: str, message: Any) -> None:
        async with self._publish_lock:
            if self._publisher is None or self._publisher.is_closed():
                self._publisher = await asyncpg.connect(self._url)
            try:
                await self._publisher.execute("SELECT pg_notify($1, $2)", channel, message)
            except (asyncpg.PostgresConnectionError, ConnectionError, asyncpg.InterfaceError):
                self._publisher = await asyncpg.connect(self._url)
                await self._publisher.execute("SELECT pg_notify($1, $2)", channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    def _on_notification(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self._queue.put_nowait(Event(channel=channel, message=payload))

    async def _open_listener(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(
            self._url, timeout=CONNECT_TIMEOUT_SECONDS, server_settings={"application_name": LISTENER_NAME}
        )
        for channel in set(self._channels):
            await connection.add_listener(channel, self._on_notification)
        return connection

    async def _keep_listening(self) -> None:
        """Check the LISTEN connection every second; after a drop, reconnect with backoff and tell every
        channel, since notifications sent meanwhile are lost."""
        while True:
            await asyncio.sleep(HEALTH_CHECK_SECONDS)
            if await self._listening():
                continue
            connection = await self._reconnect()
            async with self._listen_lock:
                for channel in self._channels:  # subscribed while reconnecting
                    await connection.add_listener(channel, self._on_notification)
                self._listen = connection
                for channel in self._channels:
                    self._queue.put_nowait(Event(channel=channel, message=RECONNECTED))

    async def _listening(self) -> bool:
        async with self._listen_lock:
            if self._listen is None or self._listen.is_closed():
                self._listen = None
                return False
            try:
                await asyncio.wait_for(self._listen.execute("SELECT 1"), timeout=HEALTH_CHECK_SECONDS * 2)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
                self._listen.terminate()
                self._listen = None
                return False
            return True

    async def _reconnect(self) -> asyncpg.Connection:
        delay = 0.05
        while True:
            try:
                connection = await self._open_listener()
            except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as error:
                logger.warning("LISTEN connection lost, retrying in %.2fs: %s", delay, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
            else:
                logger.info("LISTEN connection re-established on %d channels", len(self._channels))
                return connection


class ReconnectingRedisBackend(BroadcastBackend):
    """Redis pub/sub that re-subscribes, with backoff, until Redis answers again after a drop.

    broadcaster's own Redis backend can stop reading for good when its first channel is subscribed while its
    reader is starting. Here one reader owns the subscribing connection: it reads with a timeout, and when
    the connection fails (Redis restarted, or down) it drops it and opens a new one with backoff, subscribed
    to every channel, then tells every channel's subscribers (`RECONNECTED`) so they catch up from the
    events table. redis-py's own silent retry is off on that connection: a drop it hid would be a loss
    nobody is told about.
    """

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)
        self._listener = redis.Redis.from_url(
            url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
        self._pubsub: PubSub | None = None
        self._lost = False
        self._channels: set[str] = set()
        self._lock = asyncio.Lock()  # one change to the subscribing connection at a time
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        async with self._lock:
            await self._drop()
        await self._listener.aclose()
        await self._redis.aclose()

    async def subscribe(self, channel: str) -> None:
        """Subscribed when this returns, if Redis answers; if not, the reader subscribes every channel once
        it is back, and tells them."""
        async with self._lock:
            self._channels.add(channel)
            try:
                if self._pubsub is not None:
                    await self._pubsub.subscribe(channel)
                elif not self._lost:
                    self._pubsub = await self._open()
            except (redis.RedisError, OSError) as error:
                await self._lose(error)

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            self._channels.discard(channel)
            if self._pubsub is not None:
                try:
                    await self._pubsub.unsubscribe(channel)
                except (redis.RedisError, OSError) as error:
                    await self._lose(error)

    async def publish(self, channel: str, message: Any) -> None:
        await self._redis.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def _read(self) -> None:
        while True:
            pubsub = await self._subscribed()
            if pubsub is None or not pubsub.subscribed:
                await asyncio.sleep(0.05)
                continue
            try:
                message = await pubsub.get_message(timeout=HEALTH_CHECK_SECONDS)
            except (redis.RedisError, OSError) as error:
                async with self._lock:
                    if self._pubsub is pubsub:
                        await self._lose(error)
                continue
            if message is not None and message["type"] == "message":
                self._queue.put_nowait(Event(channel=message["channel"].decode(), message=message["data"].decode()))

    async def _subscribed(self) -> PubSub | None:
        """The connection subscribed to every channel (None before the first subscription); after a loss,
        re-established with backoff, then every channel is told that messages may have been lost."""
        delay = 0.05
        while True:
            async with self._lock:
                if not self._lost:
                    return self._pubsub
                try:
                    self._pubsub = await self._open()
                except (redis.RedisError, OSError) as error:
                    logger.warning("Redis subscription lost, retrying in %.2fs: %s", delay, error)
                else:
                    logger.info("Redis subscription re-established on %d channels", len(self._channels))
                    self._lost = False
                    for channel in self._channels:
                        self._queue.put_nowait(Event(channel=channel, message=RECONNECTED))
                    return self._pubsub
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    async def _open(self) -> PubSub:
        pubsub = self._listener.pubsub(ignore_subscribe_messages=True)
        try:
            if self._channels:
                await pubsub.subscribe(*self._channels)
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise
        return pubsub

    async def _lose(self, error: BaseException) -> None:
        """Called under the lock: forget the failed connection; the reader opens a new one."""
        logger.warning("Redis subscription lost: %s", error)
        self._lost = True
        await self._drop()

    async def _drop(self) -> None:
        if self._pubsub is not None:
            pubsub, self._pubsub = self._pubsub, None
            with contextlib.suppress(redis.RedisError, OSError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]


class DependableBroadcast(Broadcast):
    """Each message is decoded once (`decode`), in the listener, for all of this process's subscribers of
    its channel; one that does not decode is logged and dropped (subscribers fill the gap it leaves)."""

    def __init__(
        self, backend: BroadcastBackend, queue_size: int = DEFAULT_QUEUE_SIZE, decode: Callable[[str], Any] = str
    ) -> None:
        super().__init__(backend=backend)
        self._queue_size = queue_size
        self._decode = decode
        self._subscription_lock = asyncio.Lock()

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:  # type: ignore[override]
        queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=self._queue_size)
        async with self._subscription_lock:
            if channel not in self._subscribers:
                await self._backend.subscribe(channel)
                self._subscribers[channel] = set()
            self._subscribers[channel].add(queue)
        try:
            yield Subscription(queue)
        finally:
            async with self._subscription_lock:
                queues = self._subscribers.get(channel, set())
                queues.discard(queue)
                if not queues and channel in self._subscribers:
                    del self._subscribers[channel]
                    await self._backend.unsubscribe(channel)

    async def _listener(self) -> None:
        while True:
            event = await self._backend.next_published()
            queues = list(self._subscribers.get(event.channel, ()))
            if not queues:
                continue
            try:
                message = event.message if event.message == RECONNECTED else self._decode(event.message)
            except Exception:
                logger.exception("Dropped a message on %s that does not decode", event.channel)
                continue
            decoded = Event(channel=event.channel, message=message)
            for queue in queues:
                _deliver(queue, decoded)


def _deliver(queue: asyncio.Queue[Event | None], event: Event) -> None:
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(Event(channel=event.channel, message=OVERFLOWED))


class Subscription:
    """Messages of one channel for one subscriber, decoded; `RECONNECTED` when some may have been lost."""

    def __init__(self, queue: asyncio.Queue[Event | None]) -> None:
        self._queue = queue

    async def next(self) -> Any:
        event = await self._queue.get()
        if event is None or event.message == OVERFLOWED:
            raise SlowConsumer()
        return event.message


def backend_for(url: str) -> BroadcastBackend:
    """PostgreSQL through our reconnecting backend; Redis and memory through broadcaster's own."""
    scheme = urlparse(url).scheme
    if scheme.startswith("postgres"):
        return ReconnectingPostgresBackend(url)
    if scheme in ("redis", "rediss"):
        return ReconnectingRedisBackend(url)
    return MemoryBackend(url)
