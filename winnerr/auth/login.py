"""Logging in: the password and refresh-token grants, each ending in a new token pair."""

from __future__ import annotations

import asyncio
from typing import Any

from winnerr.auth import invitations, refresh
from winnerr.auth.passwords import verify_password
from winnerr.auth.tokens import issue_access_token
from winnerr.db.database import Database
from winnerr.db.enums import Role
from winnerr.errors import RateLimited
from winnerr.ratelimit import RateLimiter
from winnerr.resolvers.organizations import find_membership, find_user
from winnerr.resolvers.validation import NUL
from winnerr.settings import Settings

INVALID_CREDENTIALS = "Invalid e-mail or password"
INVALID_REFRESH = "The refresh token is invalid, expired or revoked"


class LoginRefused(Exception):
    """An OAuth2 error (`error` is its code, e.g. invalid_grant)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class Login:
    def __init__(self, settings: Settings, database: Database, limiter: RateLimiter) -> None:
        self.settings = settings
        self.database = database
        self.limiter = limiter

    async def with_password(self, email: str, password: str, organization_id: Any, *, client: str) -> dict[str, Any]:
        """A wrong password and an unknown e-mail fail alike, in the same time; failures are rate limited.
        An e-mail holding NUL (which PostgreSQL cannot even compare) is nobody's."""
        key = (client, email.strip().lower())
        attempt = await self.limiter.hit(*key)  # counted before checking, so a burst cannot slip past
        if not attempt.allowed:
            raise RateLimited(attempt.reset_after)
        async with self.database.sessions.begin() as session:
            user = await find_user(session, email) if email and NUL not in email else None
            valid = await asyncio.to_thread(verify_password, password, user.password_hash if user else None)
            membership = await find_membership(session, user.id, organization_id) if valid and user else None
            if membership is None:
                raise LoginRefused("invalid_grant", INVALID_CREDENTIALS)
            await self.limiter.clear(*key)
            holder = refresh.Holder(membership.user_id, membership.organization_id)
            next_token = refresh.issue(session, holder, ttl=self.settings.refresh_token_ttl)
            return self._pair(holder, membership.role, next_token)

    async def with_refresh_token(self, token: str) -> dict[str, Any]:
        """Rotate the refresh token; a spent one revokes its family (committed before refusing)."""
        async with self.database.sessions() as session:
            try:
                holder, next_token = await refresh.rotate(session, token, ttl=self.settings.refresh_token_ttl)
                membership = await find_membership(session, holder.user_id, holder.organization_id)
                if membership is None:
                    raise refresh.RefreshRefused()
            except refresh.RefreshRefused:
                await session.commit()
                raise LoginRefused("invalid_grant", INVALID_REFRESH) from None
            await session.commit()
            return self._pair(holder, membership.role, next_token)

    async def with_invitation(self, token: str, password: str) -> dict[str, Any]:
        """Accept an invitation (`winnerr.auth.invitations`): set the password, then log in as after a password."""
        async with self.database.sessions.begin() as session:
            try:
                membership = await invitations.accept(session, token, password)
            except invitations.InvitationRefused as refused:
                raise LoginRefused("invalid_grant", str(refused)) from None
            holder = refresh.Holder(membership.user_id, membership.organization_id)
            next_token = refresh.issue(session, holder, ttl=self.settings.refresh_token_ttl)
            return self._pair(holder, membership.role, next_token)

    def _pair(self, holder: refresh.Holder, role: Role, refresh_token: str) -> dict[str, Any]:
        access = issue_access_token(
            self.settings, user_id=holder.user_id, organization_id=holder.organization_id, role=role
        )
        return {
            "access_token": access.token,
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "expires_in": access.expires_in,
        }
