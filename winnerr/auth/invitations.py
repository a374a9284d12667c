"""Invitations: how a member added by an e-mail that was nobody's sets their password and logs in.

`addMember` stores the SHA-256 of a random token (`issue`); `POST /auth/token` with `grant_type=invitation`,
`invitation_token` and `password` accepts it (`accept`): once, before it expires, and only while the member is
still a member of the organization that invited them. Accepting sets the user's password; the caller gets a
token pair as from a password login.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.auth.passwords import hash_password
from winnerr.db.models import Invitation, Membership, User

TTL = timedelta(days=7)
TOKEN_BYTES = 32
MIN_PASSWORD = 8
MAX_PASSWORD = 200
INVALID_INVITATION = "The invitation is invalid, expired or already accepted"
WEAK_PASSWORD = f"The password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long"


class InvitationRefused(Exception):
    """The invitation cannot be accepted; the message says why (safe for the client)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def unusable_password_hash() -> str:
    """The hash of a random password nobody knows: logging in with a password fails until one is set."""
    return await asyncio.to_thread(hash_password, secrets.token_urlsafe(TOKEN_BYTES))


async def issue(session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID, invited_by: uuid.UUID) -> str:
    """Store a new invitation for the member; return its token (shown once)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await session.execute(
        insert(Invitation).values(
            organization_id=organization_id,
            user_id=user_id,
            token_hash=_digest(token),
            invited_by=invited_by,
            expires_at=datetime.now(UTC) + TTL,
        )
    )
    return token


async def accept(session: AsyncSession, token: str, password: str) -> Membership:
    """Spend the invitation and set the password; the membership it opens, or `InvitationRefused`."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or "\x00" in password:
        raise InvitationRefused(WEAK_PASSWORD)
    found = await session.execute(
        select(Invitation, Membership)
        .join(
            Membership,
            (Membership.organization_id == Invitation.organization_id) & (Membership.user_id == Invitation.user_id),
        )
        .where(
            Invitation.token_hash == _digest(token),
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > datetime.now(UTC),
        )
        .with_for_update(of=Invitation)
    )
    row = found.first()
    if row is None:
        raise InvitationRefused(INVALID_INVITATION)
    invitation, membership = row
    password_hash = await asyncio.to_thread(hash_password, password)
    await session.execute(update(User).where(User.id == invitation.user_id).values(password_hash=password_hash))
    await session.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(accepted_at=datetime.now(UTC))
    )
    membership_row: Membership = membership
    return membership_row
