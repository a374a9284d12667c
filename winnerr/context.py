"""The per-request Context: who is calling, a unit of work (session, DataLoaders, changes), the hub.

A request's unit of work opens its session on first use and is committed or rolled back once, at the edge
(`winnerr.schema.extensions.Transaction`): a mutation is one transaction and resolvers never commit. The
changes it records become events in that same transaction, and are broadcast only after it commits.

A websocket keeps one Context for hours, so each subscription event is resolved in a unit of its own
(`Context.unit_of_work`): fresh session and DataLoaders, nothing cached across events or subscriptions.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket

from winnerr.auth.principal import Principal
from winnerr.db.database import Database
from winnerr.db.enums import EventType
from winnerr.db.scope import TenantScope
from winnerr.errors import Unauthenticated
from winnerr.resolvers.loaders import Loaders
from winnerr.settings import Settings
from winnerr.subscriptions.events import Change, write_events
from winnerr.subscriptions.hub import Hub


class UnitOfWork:
    """One transaction's session, its tenant scope and DataLoaders, and the changes it made."""

    def __init__(self, database: Database, principal: Principal) -> None:
        self.principal = principal
        self.session: AsyncSession = database.sessions()
        self.scope = TenantScope(self.session, principal.organization_id)
        self.loaders = Loaders(self.scope)
        self.changes: list[Change] = []

    async def finish(self, hub: Hub, *, commit: bool) -> None:
        try:
            if commit:
                notices = await self._write_events()
                await self.session.commit()
                await hub.publish(notices)
            else:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def _write_events(self) -> list[Any]:
        if not self.changes:
            return []
        principal = self.principal
        return await write_events(self.session, principal.organization_id, principal.user_id, self.changes)


_event_unit: ContextVar[tuple[Context, UnitOfWork] | None] = ContextVar("winnerr_event_unit", default=None)


@dataclass
class Context:
    """Everything a resolver needs. Over a websocket the principal is set once `connection_init` is
    accepted; `connection_params` holds that message's payload."""

    settings: Settings
    database: Database
    hub: Hub
    request_id: str
    authenticated: Principal | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)
    connection: WebSocket | None = None
    connection_id: uuid.UUID = field(default_factory=uuid.uuid4)
    on_disconnect: list[Callable[[], object]] = field(default_factory=list)
    _unit: UnitOfWork | None = field(default=None, init=False)

    @property
    def principal(self) -> Principal:
        if self.authenticated is None:
            raise Unauthenticated()
        return self.authenticated

    @property
    def unit(self) -> UnitOfWork:
        current = _event_unit.get()
        if current is not None and current[0] is self:
            return current[1]
        if self._unit is None:
            self._unit = UnitOfWork(self.database, self.principal)
        return self._unit

    @property
    def session(self) -> AsyncSession:
        return self.unit.session

    @property
    def scope(self) -> TenantScope:
        return self.unit.scope

    @property
    def loaders(self) -> Loaders:
        return self.unit.loaders

    def record(self, type: EventType, entity_id: uuid.UUID) -> None:
        """Note a change clients may see; it becomes an event if and when the transaction commits."""
        self.unit.changes.append(Change(type, entity_id))

    async def finish(self, *, commit: bool) -> None:
        """End the request's transaction: commit it (then broadcast its events), or roll it back."""
        unit, self._unit = self._unit, None
        if unit is not None:
            await unit.finish(self.hub, commit=commit)

    async def disconnect(self, code: int, reason: str) -> None:
        """Close this context's websocket (a no-op for HTTP requests)."""
        if self.connection is not None:
            await self.connection.close(code=code, reason=reason)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A read-only unit for one subscription event, used by everything resolved inside the block."""
        unit = UnitOfWork(self.database, self.principal)
        token = _event_unit.set((self, unit))
        try:
            yield unit
        finally:
            _event_unit.reset(token)
            await unit.finish(self.hub, commit=False)
