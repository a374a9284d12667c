"""This process's authenticated websockets, whose memberships are re-checked together.

A socket outlives many changes: a member may be removed or get another role while it is open. Every 30 s
one statement reads the memberships of all open sockets; a socket whose membership ended is closed (4403),
and one whose role changed goes on with the new role.

It also bounds what one member may hold in this process: `RATE_LIMIT_WEBSOCKETS` socket opens,
`WEBSOCKETS_PER_MEMBER` open sockets, and `SUBSCRIPTIONS_PER_SOCKET` / `SUBSCRIPTIONS_PER_MEMBER`
operations in flight (subscriptions, and queries or mutations sent over a socket). Above a bound the
socket or the operation is refused with `TooMany` (RATE_LIMITED).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import TypeVar

from sqlalchemy import select, tuple_

from winnerr.context import Context
from winnerr.db.database import Database
from winnerr.db.enums import Role
from winnerr.db.models import Membership
from winnerr.errors import DomainError, ErrorCode
from winnerr.observability.metrics import WEBSOCKETS_OPEN
from winnerr.ratelimit import RateLimiter
from winnerr.settings import Settings

logger = logging.getLogger("winnerr.websockets")

CHECK_SECONDS = 30.0
MEMBERSHIP_ENDED_CLOSE_CODE = 4403

Key = TypeVar("Key")
Member = tuple[uuid.UUID, uuid.UUID]  # (organization id, user id)


class TooMany(DomainError):
    """A member reached a bound on open sockets or on operations in flight."""

    code = ErrorCode.RATE_LIMITED


class OpenSockets:
    def __init__(self, database: Database, settings: Settings, opens: RateLimiter) -> None:
        self.database = database
        self.settings = settings
        self._opens = opens  # `RATE_LIMIT_WEBSOCKETS`, in the storage every instance shares
        self._sockets: dict[uuid.UUID, Context] = {}
        self._members: Counter[Member] = Counter()
        self._operations: Counter[uuid.UUID] = Counter()
        self._member_operations: Counter[Member] = Counter()
        self._watcher: asyncio.Task[None] | None = None

    async def add(self, context: Context) -> None:
        """Count an authenticated socket's opening, and the socket while it is open; refuse it (`TooMany`)
        if its member opened too many lately or holds the most allowed."""
        member = _member_of(context)
        window = await self._opens.hit("websockets", f"{member[0]}:{member[1]}")
        if not window.allowed:
            raise TooMany(f"Too many websockets opened: try again in {window.reset_after} s")
        bound = self.settings.websockets_per_member
        if self._members[member] >= bound:
            raise TooMany(f"Too many websockets: at most {bound} per member; close one before opening another")
        self._sockets[context.connection_id] = context
        self._members[member] += 1
        WEBSOCKETS_OPEN.inc()

    def remove(self, context: Context) -> None:
        if self._sockets.pop(context.connection_id, None) is not None:
            _decrement(self._members, _member_of(context))
            WEBSOCKETS_OPEN.dec()

    @contextlib.contextmanager
    def operation(self, context: Context) -> Iterator[InFlight]:
        """Count one operation in flight on the socket while the block runs, unless the block `keep`s it
        counted (a subscription its audience goes on delivering); refuse it (`TooMany`) above the bounds per
        socket and per member."""
        member = _member_of(context)
        per_socket, per_member = self.settings.subscriptions_per_socket, self.settings.subscriptions_per_member
        if self._operations[context.connection_id] >= per_socket:
            raise TooMany(f"Too many subscriptions: at most {per_socket} at once on one websocket")
        if self._member_operations[member] >= per_member:
            raise TooMany(f"Too many subscriptions: at most {per_member} at once per member")
        self._operations[context.connection_id] += 1
        self._member_operations[member] += 1
        in_flight = InFlight(self, context.connection_id, member)
        try:
            yield in_flight
        finally:
            if not in_flight.kept:
                in_flight.end()

    def _ended(self, connection_id: uuid.UUID, member: Member) -> None:
        _decrement(self._operations, connection_id)
        _decrement(self._member_operations, member)

    async def start(self) -> None:
        self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    async def check(self, organization_id: uuid.UUID | None = None) -> None:
        """Apply the current memberships to every open socket (or the organization's), in one statement."""
        sockets = [
            context
            for context in self._sockets.values()
            if context.authenticated is not None
            and organization_id in (None, context.authenticated.organization_id)
        ]
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


class InFlight:
    """One operation counted against the bounds until it `end`s."""

    __slots__ = ("_connection_id", "_member", "_sockets", "kept")

    def __init__(self, sockets: OpenSockets, connection_id: uuid.UUID, member: Member) -> None:
        self._sockets = sockets
        self._connection_id = connection_id
        self._member = member
        self.kept = False

    def end(self) -> None:
        self._sockets._ended(self._connection_id, self._member)


def _member_of(context: Context) -> Member:
    principal = context.principal
    return (principal.organization_id, principal.user_id)


def _decrement(counter: Counter[Key], key: Key) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


async def _apply(context: Context, role: Role | None) -> None:
    """Close the socket of a membership that ended (4403); let one whose role changed go on with the new role."""
    principal = context.authenticated
    if principal is None:
        return
    if role is None:
        await context.disconnect(MEMBERSHIP_ENDED_CLOSE_CODE, "Membership ended")
    elif role is not principal.role:
        context.authenticated = dataclasses.replace(principal, role=role)
