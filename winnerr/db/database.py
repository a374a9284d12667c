"""The application's database: engine and session factory, and the compiled reads' pool, opened and closed with the
app."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from winnerr.db.engine import ORGANIZATION_KEY, PoolMode, create_engine, session_factory
from winnerr.db.reads import ReadPool

READY_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    reads: ReadPool
    """Single read-only statements in the fewest round trips (`winnerr.db.reads`): the compiled read path's, and
    the resolvers' by-id and list reads."""
    _capabilities: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def connect(cls, url: str, *, role: str | None = None, pool_mode: PoolMode = PoolMode.SESSION) -> Database:
        """Sessions that run as `role` (`DATABASE_ROLE`; unset: the URL's user), through a pooler in `pool_mode`."""
        engine = create_engine(url, pool_mode=pool_mode)
        return cls(engine, session_factory(engine, role=role), ReadPool(url, role=role, pool_mode=pool_mode))

    def session_for(self, organization_id: uuid.UUID) -> AsyncSession:
        """A session whose transactions see only this organization's rows (row-level security)."""
        return self.sessions(info={ORGANIZATION_KEY: organization_id})

    async def is_ready(self) -> bool:
        """Whether the database answers a trivial query within two seconds."""
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError):
            return False
        return True

    async def has_trigrams(self) -> bool:
        """Whether pg_trgm is installed (PostgreSQL's contrib; the embedded server lacks it). Asked once."""
        if self._capabilities.get("pg_trgm") is None:
            async with self.engine.connect() as connection:
                found = await connection.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
            self._capabilities["pg_trgm"] = found is not None
        return self._capabilities["pg_trgm"]

    async def close(self) -> None:
        await self.reads.close()
        await self.engine.dispose()
