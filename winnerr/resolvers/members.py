"""Members: listing them (`members`, any member may), and managing them (`addMember`, `updateMemberRole`,
`removeMember`).

`lastSeenAt` is the member's last sign of life in the organization: the latest of their websocket's heartbeat
(while it is open) and their last login or token refresh there (a client refreshes every `ACCESS_TOKEN_TTL`
while in use); null if neither ever happened (tokens minted by `winnerr token` or an external identity
provider leave no trace).

`addMember(email, role)`: a user with that e-mail joins at once; an e-mail that is nobody's becomes a user
with an unusable random password, joins, and gets an invitation: a single-use token (only its SHA-256 is
stored) valid 7 days (`invitations.TTL`), answered once to the caller, who passes it on. `POST /auth/token` with
`grant_type=invitation`, `invitation_token` and `password` sets the password and logs in
(`winnerr.auth.invitations`). Removing the member before that voids the invitation.

Only roles that may manage members (OWNER, ADMIN) may, under these rules:
- nobody changes their own role or removes themselves here (PERMISSION_DENIED): a change of one's own
  standing is another OWNER's or ADMIN's decision;
- an ADMIN can neither grant OWNER nor change or remove an OWNER (PERMISSION_DENIED);
- an organization keeps at least one OWNER (CONFLICT);
- a user who is already a member cannot be added again (DUPLICATE_RECORD).
Each change holds the organization's row lock and reads the caller's role again under it, so concurrent
changes are applied one after the other and cannot together take the last OWNER away. Each change is an
event (MEMBER_ROLE_CHANGED, MEMBER_REMOVED; its entity is the user) in the audit log, broadcast after commit:
every process re-checks that member's open websockets at once (a removed member's close with 4403); adding one
is MEMBER_ADDED.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Result, ScalarSelect, and_, delete, func, insert, select, update

from winnerr.auth import invitations
from winnerr.auth.permissions import ROLE_PERMISSIONS, Permission
from winnerr.context import Context
from winnerr.db.enums import EventType, Role
from winnerr.db.models import Membership, Organization, PresenceEntry, RefreshToken, User
from winnerr.errors import Conflict, DuplicateRecord, NotFound, PermissionDenied
from winnerr.resolvers.pagination import Page, page_request, total_of_page
from winnerr.resolvers.validation import Email, Rules, parse_id, validate

ENTITY = "Member"
NOT_YOURSELF = "You cannot change your own role or remove yourself; another OWNER or ADMIN can"
OWNERS_ONLY = "Only an OWNER can grant the OWNER role, or change or remove an OWNER"
LAST_OWNER = "The organization's last OWNER can be neither removed nor demoted"
ALREADY_A_MEMBER = "This user is already a member of your organization"


@dataclass(frozen=True, slots=True)
class MemberRow:
    user: User
    role: Role
    last_seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddedMember:
    member: MemberRow
    invitation_token: str | None
    """The invitation's token, for an e-mail that was nobody's (shown once; only its hash is stored)."""


class NewMember(Rules):
    email: Email
    role: Role


async def list_members(ctx: Context, page: int | None, limit: int | None) -> Page[MemberRow]:
    """The organization's members, oldest membership first, with their last sign of life."""
    request = page_request(page, limit)
    query = (
        select(User, Membership.role, _last_seen(ctx))
        .join(Membership, Membership.user_id == User.id)
        .where(ctx.scope.where(Membership))
        .order_by(Membership.created_at, User.id)
        .limit(request.limit)
        .offset(request.offset)
    )
    found: Result[User, Role, datetime | None] = await ctx.scope.execute(query)
    rows = [MemberRow(user, role, seen) for user, role, seen in found]
    members = select(Membership.user_id).where(ctx.scope.where(Membership))
    return Page(rows, request.page, request.limit, total_of_page(rows, request, lambda: ctx.scope.count(members)))


def _last_seen(ctx: Context) -> ColumnElement[datetime | None]:
    """The latest of the member's websocket heartbeat and their last login or refresh in the organization."""
    organization = ctx.scope.organization_id
    heartbeat: ScalarSelect[datetime] = (
        select(func.max(PresenceEntry.heartbeat_at))
        .where(PresenceEntry.organization_id == organization, PresenceEntry.user_id == Membership.user_id)
        .scalar_subquery()
    )
    login: ScalarSelect[datetime] = (
        select(func.max(RefreshToken.created_at))
        .where(RefreshToken.organization_id == organization, RefreshToken.user_id == Membership.user_id)
        .scalar_subquery()
    )
    return func.greatest(heartbeat, login)


async def add_member(ctx: Context, email: str, role: Role) -> AddedMember:
    """Add the user with `email` (or, if there is none, a new user with an invitation) to the organization."""
    wanted = validate(NewMember, {"email": email, "role": role}, at=None)
    actor = await _locked_actor(ctx)
    if actor is not Role.OWNER and wanted.role is Role.OWNER:
        raise PermissionDenied(OWNERS_ONLY)
    user = await ctx.scope.first(select(User).where(func.lower(User.email) == wanted.email))
    if user is not None and await _role_of(ctx, user.id) is not None:
        raise DuplicateRecord(ALREADY_A_MEMBER)
    invited = user is None
    if user is None:
        password_hash = await invitations.unusable_password_hash()
        created = insert(User).values(email=wanted.email, password_hash=password_hash, full_name="").returning(User)
        user = (await ctx.scope.execute(created)).scalar_one()
    organization = ctx.scope.organization_id
    await ctx.scope.execute(insert(Membership).values(organization_id=organization, user_id=user.id, role=wanted.role))
    token = await invitations.issue(ctx.session, organization, user.id, ctx.principal.user_id) if invited else None
    ctx.record(EventType.MEMBER_ADDED, user.id)
    return AddedMember(MemberRow(user, wanted.role), token)


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
    target = parse_id(user_id, ENTITY)
    actor = await _locked_actor(ctx)
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


async def _locked_actor(ctx: Context) -> Role:
    """The caller's role, read again under the organization's row lock, if it may manage members."""
    ctx.principal.require(Permission.MANAGE_MEMBERS)
    organization = ctx.scope.organization_id
    await ctx.scope.execute(select(Organization.id).where(Organization.id == organization).with_for_update())
    actor = await _role_of(ctx, ctx.principal.user_id)
    if actor is None or Permission.MANAGE_MEMBERS not in ROLE_PERMISSIONS[actor]:
        raise PermissionDenied()
    return actor


async def _keep_an_owner(ctx: Context) -> None:
    owners = select(func.count()).where(ctx.scope.where(Membership), Membership.role == Role.OWNER)
    if int((await ctx.scope.execute(owners)).scalar_one()) <= 1:
        raise Conflict(LAST_OWNER)


async def _role_of(ctx: Context, user_id: uuid.UUID) -> Role | None:
    role: Role | None = (await ctx.scope.execute(select(Membership.role).where(_membership(ctx, user_id)))).scalar()
    return role


def _membership(ctx: Context, user_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(ctx.scope.where(Membership), Membership.user_id == user_id)
