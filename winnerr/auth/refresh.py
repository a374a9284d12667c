"""Refresh tokens: opaque, stored hashed, rotated on every use, revoked by family on reuse."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.db.models import RefreshToken

TOKEN_BYTES = 32


class RefreshRefused(Exception):
    """The refresh token is unknown, expired, revoked or already spent."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose refresh token it was: the member to issue the next access token for."""

    user_id: uuid.UUID
    organization_id: uuid.UUID


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    session: AsyncSession, holder: Holder, *, ttl: int, family_id: uuid.UUID | None = None
) -> str:
    """Add a new refresh token (of a new family unless one is given) and return its secret value."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        RefreshToken(
            organization_id=holder.organization_id,
            user_id=holder.user_id,
            family_id=family_id or uuid.uuid4(),
            token_hash=_digest(token),
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        )
    )
    return token


async def rotate(session: AsyncSession, token: str, *, ttl: int) -> tuple[Holder, str]:
    """Spend `token` and return its holder with the next token of its family.

    A token presented a second time means it leaked: its whole family is revoked, and the caller must
    commit that before refusing (`RefreshRefused` is raised after the revocation is staged).
    """
    query = select(RefreshToken).where(RefreshToken.token_hash == _digest(token)).with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise RefreshRefused()
    if row.used_at is not None:
        await _revoke_family(session, row, now)
        raise RefreshRefused()
    row.used_at = now
    holder = Holder(row.user_id, row.organization_id)
    return holder, issue(session, holder, ttl=ttl, family_id=row.family_id)


async def revoke(session: AsyncSession, token: str) -> None:
    """Revoke the family of `token`, if it names one (unknown tokens are ignored, as RFC 7009 says)."""
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _digest(token)))
    if row is not None:
        await _revoke_family(session, row, datetime.now(UTC))


async def _revoke_family(session: AsyncSession, member: RefreshToken, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.organization_id == member.organization_id,
            RefreshToken.family_id == member.family_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
