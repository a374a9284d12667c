"""Presence: which members have a websocket open, correct across instances and after a crash.

Each open socket is a row in `presence`, kept fresh by its instance's heartbeat. A member going from no
socket to one announces MEMBER_ONLINE, from one to none MEMBER_OFFLINE; changes for one organization are
serialised on its row, so two tabs opening at once announce once. Rows whose heartbeat stopped (the instance
died) expire: any instance reaps them, announcing OFFLINE for members left with no socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import timedelta

from sqlalchemy import Executable, Select, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db.database import Database
from winnerr.db.enums import EventType
from winnerr.db.models import Organization, PresenceEntry, User
from winnerr.subscriptions.events import Change, write_events
from winnerr.subscriptions.hub import Hub

logger = logging.getLogger("winnerr.presence")

HEARTBEAT_SECONDS = 10.0
EXPIRY = timedelta(seconds=30)


class Presence:
    def __init__(self, database: Database, hub: Hub) -> None:
        self.database = database
        self.hub = hub
        self.instance_id = uuid.uuid4()
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        """Stop beating; this instance's sockets are closed by the server shutting down."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat

    async def join(self, connection_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        entry = {
            "connection_id": connection_id,
            "organization_id": organization_id,
            "user_id": user_id,
            "instance_id": self.instance_id,
        }
        await self._change(organization_id, user_id, insert(PresenceEntry).values(entry))

    async def leave(self, connection_id: uuid.UUID, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self._change(
            organization_id, user_id, delete(PresenceEntry).where(PresenceEntry.connection_id == connection_id)
        )

    async def _change(self, organization_id: uuid.UUID, user_id: uuid.UUID, statement: Executable) -> None:
        async with self.database.sessions() as session:
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
        """Refresh this instance's sockets, then expire the sockets of instances that stopped beating."""
        async with self.database.sessions.begin() as session:
            await session.execute(
                update(PresenceEntry)
                .where(PresenceEntry.instance_id == self.instance_id)
                .values(heartbeat_at=func.now())
            )
            stale = select(PresenceEntry.organization_id, PresenceEntry.user_id).where(
                PresenceEntry.heartbeat_at <= _expired()
            )
            members = (await session.execute(stale.distinct())).all()
        for organization_id, user_id in members:
            expire = delete(PresenceEntry).where(
                PresenceEntry.organization_id == organization_id,
                PresenceEntry.user_id == user_id,
                PresenceEntry.heartbeat_at <= _expired(),
            )
            await self._change(organization_id, user_id, expire)


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
