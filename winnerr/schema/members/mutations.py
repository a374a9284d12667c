"""Managing members: `updateMemberRole`, `removeMember`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import members
from winnerr.schema.enums import Role
from winnerr.schema.members.types import Member
from winnerr.schema.types import Info

RULES = (
    "OWNER and ADMIN only; nobody changes their own role or removes themselves (PERMISSION_DENIED); an ADMIN "
    "can neither grant OWNER nor change or remove an OWNER (PERMISSION_DENIED); the last OWNER stays (CONFLICT)."
)


@strawberry.type
class MembersMutation:
    @strawberry.mutation(
        description="Give a member another role; it applies at once, to their open websockets too. " + RULES
    )
    async def update_member_role(self, info: Info, user_id: strawberry.ID, role: Role) -> Member:
        return Member.of(await members.update_member_role(info.context, user_id, role))

    @strawberry.mutation(
        description="Remove a member from your organization; their open websockets close at once (4403). "
        "Answers the member as they were. " + RULES
    )
    async def remove_member(self, info: Info, user_id: strawberry.ID) -> Member:
        return Member.of(await members.remove_member(info.context, user_id))
