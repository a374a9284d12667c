"""The Context: who is calling, and each operation's unit of work (session, DataLoaders, changes).

A unit of work opens its session on first use and is committed or rolled back once, at the edge
(`winnerr.schema.extensions.Transaction`): a mutation is one transaction and resolvers never commit. The
changes it records become events in that same transaction, and are broadcast only after it commits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.websockets import WebSocket

from winnerr.auth.principal import Principal
from winnerr.auth.principals import MEMBER_CHANGES, PrincipalCache
from winnerr.db.database import Database
from winnerr.db.enums import EventType
from winnerr.db.scope import TenantScope
from winnerr.errors import DomainError, Unauthenticated
from winnerr.idempotency.keys import IdempotentRequest
from winnerr.ratelimit import Limits, Window
from winnerr.resolvers.loaders import Loaders
from winnerr.settings import Settings
from winnerr.subscriptions.events import Change, write_events
from winnerr.subscriptions.hub import Hub


class UnitOfWork:
    """One transaction's session, its tenant scope and DataLoaders, and the changes it made."""

    def __init__(self, database: Database, principal: Principal, principals: PrincipalCache | None = None) -> None:
        self.principal = principal
        self.principals = principals
        self.scope = TenantScope(database.sessions, principal.organization_id)
        """Its session is made on first use (`TenantScope`): most reads go to the read pool."""
        self.changes: list[Change] = []

    @property
    def session(self) -> AsyncSession:
        return self.scope.session

    @cached_property
    def loaders(self) -> Loaders:
        """Built on first use: an operation answered by one compiled statement never needs its 14 DataLoaders."""
        return Loaders(self.scope)

    async def finish(self, hub: Hub, *, commit: bool) -> None:
        """Commit (then broadcast) or roll back, once the statements still in flight have ended: fields
        cancelled by a failing sibling may have left one running (`TenantScope.settle`)."""
        used = self.scope.opened
        try:
            await self.scope.settle()
            used = commit or (self.scope.opened and self.session.in_transaction())  # not when all read the read pool
            if commit:
                notices = await self._write_events()
                await self.session.commit()
                self._forget_changed_members()
                await hub.publish(notices)
            elif used:
                await self.session.rollback()
        finally:
            if used:
                await self.session.close()

    def _forget_changed_members(self) -> None:
        """A member whose role changed or who was removed gets their principal resolved anew on their next
        request in this process (`winnerr.auth.principals`)."""
        if self.principals is None:
            return
        for change in self.changes:
            if change.type in MEMBER_CHANGES:
                self.principals.forget_member(self.principal.organization_id, change.entity_id)

    async def _write_events(self) -> list[Any]:
        if not self.changes:
            return []
        principal = self.principal
        return await write_events(self.session, principal.organization_id, principal.user_id, self.changes)


@dataclass
class Operation:
    """One GraphQL operation (or one subscription event): its unit of work, opened on first use, and
    whether it may commit. `refused` is why the caller may not run it (a websocket's membership ended, or
    its rate limit is spent): every resolver asks for the principal first, and gets that error.
    Once `ended`, it opens no new unit of work."""

    commit: bool = False
    refused: DomainError | None = None
    unit: UnitOfWork | None = None
    ended: bool = False


class OperationBlock:
    """`Context.operation`'s block: a class rather than an `asynccontextmanager`, which costs a generator and
    its wrapper on every operation. Entering admits the caller (a refusal is kept in `Operation.refused`) and
    makes the operation current; leaving makes it no longer current and ends it."""

    __slots__ = ("_admit", "_context", "_operation", "_token")

    def __init__(self, context: Context, admit: bool) -> None:
        self._context = context
        self._admit = admit
        self._operation = Operation()
        self._token: Token[tuple[Context, Operation] | None] | None = None

    async def __aenter__(self) -> Operation:
        context, operation = self._context, self._operation
        if self._admit and context.admit is not None:
            try:
                await context.admit()
            except DomainError as error:
                operation.refused = error
        self._token = _current.set((context, operation))
        return operation

    async def __aexit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _current.reset(self._token)
        await self._context.end(self._operation)


_current: ContextVar[tuple[Context, Operation] | None] = ContextVar("winnerr_operation", default=None)


@dataclass
class Context:
    """Everything a resolver needs. An HTTP request has one Context; a websocket keeps one for hours, while
    each of its operations, and each event of a subscription, runs in an `Operation` of its own: fresh
    session and DataLoaders, nothing shared between operations or cached across events.

    Over a websocket the principal is set once `connection_init` is accepted (`connection_params` holds its
    payload until it is read), and `admit` re-checks the membership and the rate limit before each operation."""

    settings: Settings
    database: Database
    hub: Hub
    request_id: str
    limits: Limits | None = None
    """The app's rate limits and cost budgets (`winnerr.ratelimit`); none outside a running app."""
    principals: PrincipalCache | None = None
    """The principals the app remembers by token (`winnerr.auth.principals`); none outside a running app."""
    authenticated: Principal | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)
    connection: WebSocket | None = None
    request: Request | None = None
    stream_ended: asyncio.Event | None = None
    """Set to end an HTTP event stream (`winnerr.event_streams`), as closing ends a websocket."""
    admit: Callable[[], Awaitable[None]] | None = None
    on_disconnect: list[Callable[[], object]] = field(default_factory=list)
    idempotency: IdempotentRequest | None = None
    """The request's `Idempotency-Key` (HTTP only), applied to mutations by `winnerr.idempotency`."""
    prepaid: Window | None = None
    """The cost budget's window after the compiled read path's lane charged this request and then handed it to
    the full path (`winnerr.sqlplan.lane`): the full path reports it instead of charging again."""

    @cached_property
    def connection_id(self) -> uuid.UUID:
        """This context's id among the open sockets and in presence: made on first use, as most HTTP requests
        never need one (`uuid4` reads the OS's random source)."""
        return uuid.uuid4()

    @property
    def principal(self) -> Principal:
        operation = self._operation()
        if operation is not None and operation.refused is not None:
            raise operation.refused
        if self.authenticated is None:
            raise Unauthenticated()
        return self.authenticated

    @property
    def unit(self) -> UnitOfWork:
        operation = self._operation()
        if operation is None:
            raise RuntimeError("Database work outside an operation: use `async with context.operation()`")
        if operation.ended:
            raise RuntimeError("This operation's unit of work has finished")
        if operation.unit is None:
            operation.unit = UnitOfWork(self.database, self.principal, self.principals)
        return operation.unit

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

    async def disconnect(self, code: int, reason: str) -> None:
        """Close this context's websocket, or end its event stream (a no-op for other HTTP requests)."""
        if self.connection is not None:
            await self.connection.close(code=code, reason=reason)
        elif self.stream_ended is not None:
            self.stream_ended.set()

    def operation(self, *, admit: bool = False) -> OperationBlock:
        """Run an operation in a unit of work of its own, used by everything resolved inside the block; it
        commits (then broadcasts its events) only if the block set `commit`, else it rolls back; unless the
        block ended it itself (`end`), to see how it went."""
        return OperationBlock(self, admit)

    async def end(self, operation: Operation) -> None:
        """Finish the operation's unit of work now (commit if `commit`, else roll back); an error raised
        while committing means nothing was written. Ending it again does nothing."""
        unit, operation.unit, operation.ended = operation.unit, None, True
        if unit is not None:
            await unit.finish(self.hub, commit=operation.commit)

    def _operation(self) -> Operation | None:
        current = _current.get()
        return current[1] if current is not None and current[0] is self else None
