"""Managing members: `updateMemberRole` and `removeMember` (issue 11 adds `members` and `addMember`).

Only roles that may manage members (OWNER, ADMIN) may, under these rules:
- nobody changes their own role or removes themselves here (PERMISSION_DENIED): a change of one's own
  standing is another OWNER's or ADMIN's decision;
- an ADMIN can neither grant OWNER nor change or remove an OWNER (PERMISSION_DENIED);
- an organization keeps at least one OWNER (CONFLICT).
Each change holds the organization's row lock and reads the caller's role again under it, so concurrent
changes are applied one after the other and cannot together take the last OWNER away. Each change is an
event (MEMBER_ROLE_CHANGED, MEMBER_REMOVED; its entity is the user) in the audit log, broadcast after commit:
every process re-checks that member's open websockets at once (a removed member's close with 4403).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, select, update

from winnerr.auth.permissions import ROLE_PERMISSIONS, Permission
from winnerr.context import Context
from winnerr.db.enums import EventType, Role
from winnerr.db.models import Membership, Organization, User
from winnerr.errors import Conflict, NotFound, PermissionDenied
from winnerr.resolvers.validation import parse_id

ENTITY = "Member"
NOT_YOURSELF = "You cannot change your own role or remove yourself; another OWNER or ADMIN can"
OWNERS_ONLY = "Only an OWNER can grant the OWNER role, or change or remove an OWNER"
LAST_OWNER = "The organization's last OWNER can be neither removed nor demoted"


@dataclass(frozen=True, slots=True)
class MemberRow:
    user: User
    role: Role


async def update_member_role(ctx: Context, user_id: str, role: Role) -> MemberRow:
    member = await _managed(ctx, user_id, granting=role)
    if role is member.role:
        return member
    if member.role is Role.OWNER:
        await _keep_an_owner(ctx)
    await ctx.scope.execute(update(Membership).where(_membership(ctx, member.user.id)).values(role=role))
    ctx.record(EventType.MEMBER_ROLE_CHANGED, member.user.id)
    return MemberRow(member.user, role)


async def remove_member(ctx: Context, user_id: str) -> MemberRow:
    """Remove the member from the organization (the user keeps their other memberships); answers the
    member as they were."""
    member = await _managed(ctx, user_id, granting=None)
    if member.role is Role.OWNER:
        await _keep_an_owner(ctx)
    await ctx.scope.execute(delete(Membership).where(_membership(ctx, member.user.id)))
    ctx.record(EventType.MEMBER_REMOVED, member.user.id)
    return member


async def _managed(ctx: Context, user_id: str, granting: Role | None) -> MemberRow:
    """The member the caller may change, read under the organization's lock, or the reason why not."""
    ctx.principal.require(Permission.MANAGE_MEMBERS)
    target = parse_id(user_id, ENTITY)
    organization = ctx.scope.organization_id
    await ctx.scope.execute(select(Organization.id).where(Organization.id == organization).with_for_update())
    actor = await _role_of(ctx, ctx.principal.user_id)
    if actor is None or Permission.MANAGE_MEMBERS not in ROLE_PERMISSIONS[actor]:
        raise PermissionDenied()
    found = await ctx.scope.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id).where(_membership(ctx, target))
    )
    row = found.first()
    if row is None:
        raise NotFound(ENTITY)
    member = MemberRow(user=row.User, role=row.role)
    if target == ctx.principal.user_id:
        raise PermissionDenied(NOT_YOURSELF)
    if actor is not Role.OWNER and Role.OWNER in (member.role, granting):
        raise PermissionDenied(OWNERS_ONLY)
    return member


async def _keep_an_owner(ctx: Context) -> None:
    owners = select(func.count()).where(ctx.scope.where(Membership), Membership.role == Role.OWNER)
    if int((await ctx.scope.execute(owners)).scalar_one()) <= 1:
        raise Conflict(LAST_OWNER)


async def _role_of(ctx: Context, user_id: uuid.UUID) -> Role | None:
    role: Role | None = (await ctx.scope.execute(select(Membership.role).where(_membership(ctx, user_id)))).scalar()
    return role


def _membership(ctx: Context, user_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(ctx.scope.where(Membership), Membership.user_id == user_id)
