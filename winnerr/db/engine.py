"""The async engine and session factory.

Sessions made here run each transaction as the runtime role (`DATABASE_ROLE`) and bound to the organization
their `info` names, so PostgreSQL's row-level security applies (`winnerr.db.rls`); without a role they run as
the connecting user and set nothing. Both are transaction-local
(`set_config(..., true)`): nothing outlives the transaction on a pooled connection, behind PgBouncer in
transaction mode or not, and a transaction that names no organization sees no tenant's rows.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

ROLE_KEY = "winnerr.role"
"""`Session.info` key: the role each transaction runs as (None: the connecting user)."""
ORGANIZATION_KEY = "winnerr.organization_id"
"""`Session.info` key: the organization each transaction is bound to (None: none, no tenant row is visible)."""
WROTE_KEY = "winnerr.wrote"
"""`Session.info` key: whether the session's transaction wrote (`wrote`): then what it reads must be read in it."""
ORGANIZATION_SETTING = "app.organization_id"
"""The transaction-local setting row-level security compares `organization_id` with."""

_AS_ROLE = text(f"SELECT set_config('role', :role, true), set_config('{ORGANIZATION_SETTING}', :organization, true)")
_AS_ORGANIZATION = text(f"SELECT set_config('{ORGANIZATION_SETTING}', :organization, true)")


class PoolMode(StrEnum):
    """How connections reach PostgreSQL: directly (or through a session-mode pooler), or through a pooler in
    transaction mode (PgBouncer's `pool_mode = transaction`), where consecutive transactions of one client
    connection may run on different server connections."""

    SESSION = "session"
    TRANSACTION = "transaction"


def async_url(url: str) -> str:
    """The same database URL with the asyncpg driver, whatever driver (or none) it named."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4()}__"


def connect_args(pool_mode: PoolMode) -> dict[str, Any]:
    """asyncpg's options for the pool mode. Behind a transaction-mode pooler a statement prepared on one
    server connection is unknown on the next, and a name reused from another client collides: so no
    statement caches (asyncpg's nor SQLAlchemy's) and a unique name for every prepared statement, as
    SQLAlchemy's asyncpg dialect documents for PgBouncer."""
    if pool_mode is PoolMode.SESSION:
        return {}
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": _unique_statement_name,
    }


def create_engine(url: str, *, pool_size: int = 10, pool_mode: PoolMode = PoolMode.SESSION) -> AsyncEngine:
    """The pool does not ping before each checkout (a round trip per request on a healthy pool): a connection
    that fails with a disconnect error makes SQLAlchemy discard every connection the pool held, so after a
    database restart only the statements in flight at that moment fail."""
    return create_async_engine(
        async_url(url), pool_size=pool_size, max_overflow=20, connect_args=connect_args(pool_mode)
    )


class TenantSession(Session):
    """A session whose transactions start with one statement setting the role and organization its `info`
    names (`_bind_transaction`)."""


@event.listens_for(TenantSession, "after_begin")
def _bind_transaction(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    """One round trip at the start of each transaction; none without a role, when the connecting user is
    trusted as it is (to connect as the runtime role itself, name it in `DATABASE_ROLE` too)."""
    role: str | None = session.info.get(ROLE_KEY)
    if role is not None:
        connection.execute(_AS_ROLE, {"role": role, "organization": _organization(session)})


@event.listens_for(TenantSession, "after_flush")
def _flushed(session: Session, flush_context: Any) -> None:
    session.info[WROTE_KEY] = True


@event.listens_for(TenantSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    """Any statement but a SELECT may write (an upsert, a DELETE, SQL text)."""
    if not state.is_select:
        state.session.info[WROTE_KEY] = True


@event.listens_for(TenantSession, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """A transaction's writes are committed or undone when it ends (a savepoint's are still the outer one's)."""
    if transaction.parent is None:
        session.info.pop(WROTE_KEY, None)


def wrote(session: AsyncSession) -> bool:
    """Whether the session's transaction wrote anything: flushed rows, or ran a statement that is not a SELECT."""
    return bool(session.info.get(WROTE_KEY))


def _organization(session: Session | AsyncSession) -> str:
    organization_id: uuid.UUID | None = session.info.get(ORGANIZATION_KEY)
    return "" if organization_id is None else str(organization_id)


async def set_organization(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """Bind the session's current transaction, and its next ones, to the organization: for work that learns
    its organization only after the transaction began (a webhook delivery once it is mapped)."""
    session.info[ORGANIZATION_KEY] = organization_id
    if session.info.get(ROLE_KEY) is not None and session.in_transaction():
        await session.execute(_AS_ORGANIZATION, {"organization": _organization(session)})


def session_factory(engine: AsyncEngine, *, role: str | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions that run as `role` (unset: as the connecting user); `info={ORGANIZATION_KEY: ...}` binds one
    to an organization."""
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=TenantSession, info={ROLE_KEY: role}
    )
