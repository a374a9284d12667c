"""This process's authenticated websockets, whose memberships are re-checked together.

A socket outlives many changes: a member may be removed or get another role while it is open. Every 30 s
one statement reads the memberships of all open sockets; a socket whose membership ended is closed (4403),
and one whose role changed goes on with the new role.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid

from sqlalchemy import select, tuple_

from winnerr.context import Context
from winnerr.db.database import Database
from winnerr.db.enums import Role
from winnerr.db.models import Membership

logger = logging.getLogger("winnerr.websockets")

CHECK_SECONDS = 30.0
MEMBERSHIP_ENDED_CLOSE_CODE = 4403


class OpenSockets:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._sockets: dict[uuid.UUID, Context] = {}
        self._watcher: asyncio.Task[None] | None = None

    def add(self, context: Context) -> None:
        self._sockets[context.connection_id] = context

    def remove(self, context: Context) -> None:
        self._sockets.pop(context.connection_id, None)

    async def start(self) -> None:
        self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    async def check(self) -> None:
        """Apply the current memberships to every open socket, in one statement."""
        sockets = [context for context in self._sockets.values() if context.authenticated is not None]
        members = {(c.principal.organization_id, c.principal.user_id) for c in sockets}
        if not members:
            return
        query = select(Membership.organization_id, Membership.user_id, Membership.role).where(
            tuple_(Membership.organization_id, Membership.user_id).in_(members)
        )
        async with self.database.sessions() as session:
            roles = {(row[0], row[1]): row[2] for row in (await session.execute(query)).all()}
        for context in sockets:
            principal = context.principal
            await _apply(context, roles.get((principal.organization_id, principal.user_id)))

    async def recheck(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
        """Apply one member's current membership to their open sockets now (on a member event, without
        waiting for the periodic check); their role, None once the membership ended."""
        query = select(Membership.role).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
        async with self.database.sessions() as session:
            role: Role | None = await session.scalar(query)
        for context in list(self._sockets.values()):
            principal = context.authenticated
            if principal is not None and (principal.organization_id, principal.user_id) == (organization_id, user_id):
                await _apply(context, role)
        return role

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await self.check()
            except Exception:
                logger.exception("Checking the memberships of open websockets failed")


async def _apply(context: Context, role: Role | None) -> None:
    """Close the socket of a membership that ended (4403); let one whose role changed go on with the new role."""
    principal = context.authenticated
    if principal is None:
        return
    if role is None:
        await context.disconnect(MEMBERSHIP_ENDED_CLOSE_CODE, "Membership ended")
    elif role is not principal.role:
        context.authenticated = dataclasses.replace(principal, role=role)
