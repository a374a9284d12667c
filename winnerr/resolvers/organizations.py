"""Organizations and their members: creating one with its owner, and who the caller is (`me`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.auth.passwords import hash_password
from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.engine import set_organization
from winnerr.db.enums import Role
from winnerr.db.integrity import integrity_errors
from winnerr.db.models import Membership, Organization, User
from winnerr.errors import NotFound
from winnerr.resolvers.pipelines import add_default_pipeline
from winnerr.resolvers.validation import (
    Email,
    Password,
    Required200,
    Rules,
    Text200,
    validate,
)


class NewOrganizationRules(Rules):
    name: Required200
    owner_email: Email
    password: Password


class NewMemberRules(Rules):
    email: Email
    password: Password
    role: Role
    full_name: Text200 = ""


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    organization: Organization
    role: Role
    permissions: frozenset[Permission]


async def create_organization(session: AsyncSession, name: str, owner_email: str, password: str) -> Organization:
    """A new organization with its default pipeline and its first member, an OWNER (not committed)."""
    rules = validate(NewOrganizationRules, {"name": name, "owner_email": owner_email, "password": password})
    organization = Organization(id=uuid.uuid4(), name=rules.name)
    await set_organization(session, organization.id)  # its pipeline and stages are its rows (row-level security)
    session.add(organization)
    await session.flush()
    await add_default_pipeline(session, organization.id)
    await add_member(session, organization.id, email=rules.owner_email, password=rules.password, role=Role.OWNER)
    return organization


async def add_member(
    session: AsyncSession, organization_id: uuid.UUID, *, email: str, password: str, role: Role, full_name: str = ""
) -> User:
    """Make the user with this e-mail (created if new, password unchanged if not) a member with `role`."""
    rules = validate(NewMemberRules, {"email": email, "password": password, "role": role, "full_name": full_name})
    user = await find_user(session, rules.email)
    if user is None:
        user = User(id=uuid.uuid4(), email=rules.email, password_hash=hash_password(rules.password))
        user.full_name = rules.full_name
        session.add(user)
        await session.flush()
    session.add(Membership(organization_id=organization_id, user_id=user.id, role=rules.role))
    with integrity_errors():
        await session.flush()
    return user


async def find_user(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(query)).scalar_one_or_none()


async def viewer(ctx: Context) -> Viewer:
    principal = ctx.principal
    user = await ctx.scope.principal_row(User, principal.user_id)
    organization = await ctx.scope.principal_row(Organization, principal.organization_id)
    return Viewer(user, organization, principal.role, principal.permissions)


async def membership_of(session: AsyncSession, email: str, organization_id: str | None) -> Membership:
    """The membership of the user with `email` in `organization_id` (or their oldest one), or NOT_FOUND."""
    user = await find_user(session, email)
    membership = await find_membership(session, user.id, organization_id) if user else None
    if membership is None:
        raise NotFound("Membership")
    return membership


async def find_membership(session: AsyncSession, user_id: uuid.UUID, organization_id: object) -> Membership | None:
    """The user's membership in `organization_id`, or their oldest one when none is named."""
    query = select(Membership).where(Membership.user_id == user_id)
    if organization_id:
        try:
            query = query.where(Membership.organization_id == uuid.UUID(str(organization_id)))
        except ValueError:
            return None
    return await session.scalar(query.order_by(Membership.created_at).limit(1))
