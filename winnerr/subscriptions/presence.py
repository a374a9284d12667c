"""Presence: which members have a websocket open, correct across instances and after a crash.

Each open socket is a row in `presence`, kept fresh by its instance's heartbeat. A member going from no
socket to one announces MEMBER_ONLINE, from one to none MEMBER_OFFLINE; changes for one organization are
serialised on its row, so two tabs opening at once announce once. A member with a socket open on this
instance is online already: their next socket here only adds its row, without taking that lock.

Presence is debounced per member: a closed socket's row lingers for a grace period (`left_at`), so a member
who reconnects within it (a page reload, a flaky network) is not announced again, and OFFLINE is announced
only once the grace period has passed without any socket. Opening and closing sockets in a loop therefore
writes one ONLINE and one OFFLINE, not one event per socket. Rows whose grace period ended, or whose
heartbeat stopped (the instance died), are gone: any instance reaps them, announcing OFFLINE for members left
with no socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import ColumnElement, Executable, Select, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db.database import Database
from winnerr.db.enums import EventType
from winnerr.db.models import Organization, PresenceEntry, User
from winnerr.subscriptions.events import Change, write_events
from winnerr.subscriptions.hub import Hub

logger = logging.getLogger("winnerr.presence")

HEARTBEAT_SECONDS = 10.0
EXPIRY = timedelta(seconds=30)
DEFAULT_GRACE_SECONDS = 5.0
SETTLE_MARGIN_SECONDS = 0.2  # past the grace period, so the database's clock agrees it has passed

Member = tuple[uuid.UUID, uuid.UUID]  # (organization_id, user_id)


class Presence:
    def __init__(self, database: Database, hub: Hub, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> None:
        self.database = database
        self.hub = hub
        self.grace = timedelta(seconds=grace_seconds)
        self.instance_id = uuid.uuid4()
        self._heartbeat: asyncio.Task[None] | None = None
        self._pending: dict[Member, asyncio.TimerHandle] = {}
        self._settling: set[asyncio.Task[None]] = set()
        self._open: Counter[Member] = Counter()  # sockets joined here and not left, per member

    async def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        """Stop beating; this instance's sockets are closed by the server shutting down, and their rows are
        reaped by whichever instance beats next."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
        await asyncio.gather(*self._settling, return_exceptions=True)

    async def join(self, connection_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        entry = {
            "connection_id": connection_id,
            "organization_id": organization_id,
            "user_id": user_id,
            "instance_id": self.instance_id,
        }
        member = (organization_id, user_id)
        if self._open[member] > 0:  # online already through a socket here: nothing to announce, no lock to take
            async with self.database.sessions.begin() as session:
                await session.execute(insert(PresenceEntry).values(entry))
        else:
            await self._change(organization_id, user_id, insert(PresenceEntry).values(entry))
        self._open[member] += 1

    async def leave(self, connection_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """The socket's row lingers for the grace period; the member is settled once it has passed."""
        member = (organization_id, user_id)
        if self._open[member] > 0:
            self._open[member] -= 1
        async with self.database.sessions.begin() as session:
            left = update(PresenceEntry).where(PresenceEntry.connection_id == connection_id).values(left_at=func.now())
            await session.execute(left)
        self._settle_later((organization_id, user_id))

    def _settle_later(self, member: Member) -> None:
        """Reap the member's gone rows once the grace period of their latest closed socket has passed."""
        pending = self._pending.pop(member, None)
        if pending is not None:
            pending.cancel()
        delay = self.grace.total_seconds() + SETTLE_MARGIN_SECONDS
        self._pending[member] = asyncio.get_running_loop().call_later(delay, self._settle, member)

    def _settle(self, member: Member) -> None:
        self._pending.pop(member, None)
        task = asyncio.create_task(self._reap(*member))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)

    async def _reap(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        gone = delete(PresenceEntry).where(
            PresenceEntry.organization_id == organization_id, PresenceEntry.user_id == user_id, self._gone()
        )
        try:
            await self._change(organization_id, user_id, gone)
        except Exception:
            logger.exception("Settling the presence of a member failed; the heartbeat will retry")

    async def _change(self, organization_id: uuid.UUID, user_id: uuid.UUID, statement: Executable) -> None:
        async with self.database.session_for(organization_id) as session:
            await session.execute(select(Organization.id).where(Organization.id == organization_id).with_for_update())
            before = await _present(session, organization_id, user_id)
            await session.execute(statement)
            after = await _present(session, organization_id, user_id)
            notices = []
            if before != after:
                change = Change(EventType.MEMBER_ONLINE if after else EventType.MEMBER_OFFLINE, user_id)
                notices = await write_events(session, organization_id, user_id, [change])
            await session.commit()
        await self.hub.publish(notices)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.refresh_and_reap()
            except Exception:
                logger.exception("Presence heartbeat failed")

    async def refresh_and_reap(self) -> None:
        """Refresh this instance's sockets, then reap the gone ones: closed longer than the grace period ago,
        or of instances that stopped beating."""
        async with self.database.sessions.begin() as session:
            await session.execute(
                update(PresenceEntry)
                .where(PresenceEntry.instance_id == self.instance_id)
                .values(heartbeat_at=func.now())
            )
            gone = select(PresenceEntry.organization_id, PresenceEntry.user_id).where(self._gone())
            members = (await session.execute(gone.distinct())).all()
        for organization_id, user_id in members:
            await self._reap(organization_id, user_id)

    def _gone(self) -> ColumnElement[bool]:
        return or_(PresenceEntry.heartbeat_at <= _expired(), PresenceEntry.left_at <= func.now() - self.grace)


def online_members_query(organization_id: uuid.UUID) -> Select[User]:
    """Members with a live socket on any instance."""
    members = (
        select(PresenceEntry.user_id)
        .where(PresenceEntry.organization_id == organization_id, PresenceEntry.heartbeat_at > _expired())
        .distinct()
    )
    return select(User).where(User.id.in_(members)).order_by(User.email)


def _expired() -> object:
    return func.now() - EXPIRY


async def _present(session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    query = select(PresenceEntry.connection_id).where(
        PresenceEntry.organization_id == organization_id, PresenceEntry.user_id == user_id
    )
    return (await session.execute(query.limit(1))).first() is not None
