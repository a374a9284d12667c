"""An organization's events as one ordered stream: every event after a sequence, each exactly once.

The stream subscribes to the organization's channel first, then replays what the events table holds after
`after`, then goes live. Sequences are given in commit order, so a gap in what arrives (a message lost, or
published late by another instance) is filled from the events table, and anything already seen is skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from winnerr.db.database import Database
from winnerr.subscriptions.broadcast import RECONNECTED
from winnerr.subscriptions.events import Notice, events_after, last_sequence
from winnerr.subscriptions.hub import Hub

REPLAY_BATCH = 500


async def organization_events(
    hub: Hub, database: Database, organization_id: uuid.UUID, after: int | None
) -> AsyncIterator[Notice]:
    """Events with a sequence above `after` (without one: from now on), in order, with no gap or repeat."""
    async with hub.subscribe(organization_id) as subscription:
        last = after if after is not None else await _current(database, organization_id)
        async for replayed in _stored_after(database, organization_id, last):
            last = replayed.sequence
            yield replayed
        while True:
            message = await subscription.next()
            notice = None if message == RECONNECTED else Notice.decode(message)
            if notice is not None and notice.sequence <= last:
                continue
            if notice is not None and notice.sequence == last + 1:
                last = notice.sequence
                yield notice
                continue
            async for stored in _stored_after(database, organization_id, last):
                last = stored.sequence
                yield stored


async def _current(database: Database, organization_id: uuid.UUID) -> int:
    async with database.sessions() as session:
        return await last_sequence(session, organization_id)


async def _stored_after(database: Database, organization_id: uuid.UUID, after: int) -> AsyncIterator[Notice]:
    while True:
        async with database.sessions() as session:
            batch = await events_after(session, organization_id, after, REPLAY_BATCH)
        for notice in batch:
            yield notice
        if len(batch) < REPLAY_BATCH:
            return
        after = batch[-1].sequence
