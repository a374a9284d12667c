"""The per-request Context: who is calling, one lazily opened session, fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.auth.principal import Principal
from winnerr.db.database import Database
from winnerr.db.scope import TenantScope
from winnerr.resolvers.loaders import Loaders
from winnerr.settings import Settings


@dataclass
class Context:
    """Everything a resolver needs for one request.

    The session opens on first use and is committed or rolled back once, at the edge
    (`winnerr.schema.extensions.Transaction`), so a mutation is one transaction and resolvers never commit.
    """

    principal: Principal
    settings: Settings
    database: Database
    request_id: str
    _session: AsyncSession | None = field(default=None, init=False)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.database.sessions()
        return self._session

    @cached_property
    def scope(self) -> TenantScope:
        return TenantScope(self.session, self.principal.organization_id)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.scope)

    async def finish(self, *, commit: bool) -> None:
        """End the request's transaction: commit it, or roll it back (nothing half-written stays)."""
        if self._session is None:
            return
        try:
            if commit:
                await self._session.commit()
            else:
                await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None
