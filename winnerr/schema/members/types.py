"""`Member`: a user's membership of the caller's organization."""

from __future__ import annotations

import strawberry

from winnerr.resolvers.members import MemberRow
from winnerr.schema.enums import Role
from winnerr.schema.mapping import from_row
from winnerr.schema.viewer.types import User


@strawberry.type(description="A user's membership of your organization, with their role.")
class Member:
    user: User
    role: Role

    @classmethod
    def of(cls, member: MemberRow) -> Member:
        return cls(user=from_row(User, member.user), role=member.role)
