"""The async engine and session factory."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def async_url(url: str) -> str:
    """The same database URL with the asyncpg driver, whatever driver (or none) it named."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """The pool does not ping before each checkout (a round trip per request on a healthy pool): a connection
    that fails with a disconnect error makes SQLAlchemy discard every connection the pool held, so after a
    database restart only the statements in flight at that moment fail."""
    return create_async_engine(async_url(url), pool_size=pool_size, max_overflow=20)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
