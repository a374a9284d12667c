"""`Member`: a user's membership of the caller's organization; `AddedMember`: what `addMember` answers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from winnerr.resolvers.members import AddedMember as AddedMemberRow
from winnerr.resolvers.members import MemberRow
from winnerr.schema.enums import Role
from winnerr.schema.mapping import from_row
from winnerr.schema.viewer.types import User


@strawberry.type(description="A user's membership of your organization, with their role.")
class Member:
    user: User = strawberry.field(description="The member's user account (id, e-mail, name).")
    role: Role = strawberry.field(description="OWNER, ADMIN, AGENT or VIEWER; what they may do here.")
    last_seen_at: datetime | None = strawberry.field(
        description="The member's last sign of life in your organization: the latest of their open websocket's "
        "heartbeat and their last login or token refresh here; null if neither ever happened. Null in the "
        "answers of the member mutations."
    )

    @classmethod
    def of(cls, member: MemberRow) -> Member:
        return cls(user=from_row(User, member.user), role=member.role, last_seen_at=member.last_seen_at)


@strawberry.type(description="A member just added, and, for an e-mail that was nobody's, their invitation.")
class AddedMember:
    member: Member = strawberry.field(description="The new member.")
    invitation_token: str | None = strawberry.field(
        description="For an e-mail that was nobody's: the single-use token (valid 7 days, shown only here) that "
        "the new member sends to POST /auth/token with grant_type=invitation and a password of 8–200 "
        "characters. Null when the user already existed: they log in as before."
    )

    @classmethod
    def of(cls, added: AddedMemberRow) -> AddedMember:
        return cls(member=Member.of(added.member), invitation_token=added.invitation_token)
