"""The application's database: engine and session factory, opened and closed with the app."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from winnerr.db.engine import create_engine, session_factory

READY_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = create_engine(url)
        return cls(engine, session_factory(engine))

    async def is_ready(self) -> bool:
        """Whether the database answers a trivial query within two seconds."""
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()
