"""The principal: who is calling, in which organization, with which role. Resolved once per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.auth.permissions import ROLE_PERMISSIONS, Permission
from winnerr.auth.tokens import Claims
from winnerr.db.enums import Role
from winnerr.db.models import Membership, User
from winnerr.errors import PermissionDenied, Unauthenticated

NOT_A_MEMBER = "You are not a member of this organization"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: uuid.UUID
    email: str
    organization_id: uuid.UUID
    role: Role
    expires_at: datetime
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "permissions", ROLE_PERMISSIONS[self.role])

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise PermissionDenied()


async def resolve_principal(session: AsyncSession, claims: Claims, requested_org: str | None) -> Principal:
    """Find the member behind verified claims.

    The organization is the `x-organization-id` header, else the token's `org` claim, else the user's
    oldest membership. The role always comes from the database, so a changed role applies at once.
    """
    requested = requested_org or claims.organization_id
    query = _membership_query(claims)
    if requested is not None:
        organization = _parse_uuid(requested)
        if organization is None:
            raise _refusal(requested_org)
        query = query.where(Membership.organization_id == organization)
    row = (await session.execute(query.order_by(Membership.created_at).limit(1))).first()
    if row is None:
        raise _refusal(requested_org)
    user_id, email, organization_id, role = row
    return Principal(user_id, email, organization_id, role, claims.expires_at)


def _refusal(requested_org: str | None) -> PermissionDenied | Unauthenticated:
    """An organization the caller asked for by header is refused (403); a token naming a membership
    that no longer exists is simply not valid (401)."""
    return PermissionDenied(NOT_A_MEMBER) if requested_org is not None else Unauthenticated()


def _membership_query(claims: Claims) -> Select[uuid.UUID, str, uuid.UUID, Role]:
    query = select(User.id, User.email, Membership.organization_id, Membership.role).join(
        Membership, Membership.user_id == User.id
    )
    if not claims.external:
        return query.where(User.id == _parse_uuid(claims.subject))
    if claims.email is None or claims.raw.get("email_verified") is not True:
        raise Unauthenticated()
    return query.where(func.lower(User.email) == claims.email.lower())


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
