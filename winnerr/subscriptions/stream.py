"""An organization's events as one ordered stream: every event after a sequence, each exactly once.

The stream subscribes to the organization's channel first, then replays what the events table holds after
`after`, then goes live. Sequences are given in commit order, so a gap in what arrives (a message lost, or
published late by another instance) is filled from the events table, and anything already seen is skipped.

A database that fails for a moment (a dropped connection, a restart) does not end the stream: each read is
retried with backoff until it works (`retrying`), and the stream goes on from the last sequence it gave.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from winnerr.db.database import Database
from winnerr.subscriptions.broadcast import MAX_BACKOFF_SECONDS
from winnerr.subscriptions.events import Notice, events_after, last_sequence
from winnerr.subscriptions.hub import Hub

logger = logging.getLogger("winnerr.broadcast")

REPLAY_BATCH = 500
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
Result = TypeVar("Result")
Arguments = ParamSpec("Arguments")


async def organization_events(
    hub: Hub,
    database: Database,
    organization_id: uuid.UUID,
    after: int | None,
    ready: Callable[[int], None] | None = None,
) -> AsyncIterator[Notice]:
    """Events with a sequence above `after` (without one: from now on), in order, with no gap or repeat;
    `ready` is told the sequence it starts after, once it listens."""
    async with hub.subscribe(organization_id) as subscription:
        last = after if after is not None else await _current(database, organization_id)
        if ready is not None:
            ready(last)
        async for replayed in stored_after(database, organization_id, last):
            last = replayed.sequence
            yield replayed
        while True:
            message = await subscription.next()
            notice = message if isinstance(message, Notice) else None  # else RECONNECTED: maybe some were lost
            if notice is not None and notice.sequence <= last:
                continue
            if notice is not None and notice.sequence == last + 1:
                last = notice.sequence
                yield notice
                continue
            async for stored in stored_after(database, organization_id, last):
                last = stored.sequence
                yield stored


async def retrying(
    work: Callable[Arguments, Awaitable[Result]], *args: Arguments.args, **kwargs: Arguments.kwargs
) -> Result:
    """`work(...)`, run again with backoff for as long as it fails because the database is unreachable."""
    delay = 0.05
    while True:
        try:
            return await work(*args, **kwargs)
        except Exception as error:
            if not database_unavailable(error):
                raise
            logger.warning("Database unavailable to a subscription, retrying in %.2fs: %s", delay, error)
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)


def database_unavailable(error: BaseException) -> bool:
    """A lost, refused or exhausted connection (worth retrying), as opposed to a statement that is wrong:
    SQLSTATE classes 08 (connection), 53 (insufficient resources: too many clients) and 57P (shutdown,
    starting up), a connection SQLAlchemy invalidated, or its pool timing out."""
    if isinstance(error, DBAPIError):
        sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
        return (
            error.connection_invalidated
            or isinstance(error, (OperationalError, InterfaceError))
            or sqlstate.startswith(UNAVAILABLE_SQLSTATES)
        )
    return isinstance(error, (OSError, PoolTimeout, asyncpg.PostgresConnectionError, asyncpg.InterfaceError))


async def _current(database: Database, organization_id: uuid.UUID) -> int:
    return await retrying(_last, database, organization_id)


async def _last(database: Database, organization_id: uuid.UUID) -> int:
    async with database.session_for(organization_id) as session:
        return await last_sequence(session, organization_id)


async def stored_after(database: Database, organization_id: uuid.UUID, after: int) -> AsyncIterator[Notice]:
    while True:
        batch = await retrying(_batch_after, database, organization_id, after)
        for notice in batch:
            yield notice
        if len(batch) < REPLAY_BATCH:
            return
        after = batch[-1].sequence


async def _batch_after(database: Database, organization_id: uuid.UUID, after: int) -> list[Notice]:
    async with database.session_for(organization_id) as session:
        return await events_after(session, organization_id, after, REPLAY_BATCH)
