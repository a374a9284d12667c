"""Managing members: `addMember`, `updateMemberRole`, `removeMember`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import members
from winnerr.schema.enums import Role
from winnerr.schema.members.types import AddedMember, Member
from winnerr.schema.types import Info

RULES = (
    "OWNER and ADMIN only; nobody changes their own role or removes themselves (PERMISSION_DENIED); an ADMIN "
    "can neither grant OWNER nor change or remove an OWNER (PERMISSION_DENIED); the last OWNER stays (CONFLICT)."
)


@strawberry.type
class MembersMutation:
    @strawberry.mutation(
        description="Add a member by e-mail with a role: a user with that e-mail joins at once (DUPLICATE_RECORD "
        "if already a member); an e-mail that is nobody's becomes a user with an invitation token to set their "
        "password (see `AddedMember.invitationToken`). OWNER and ADMIN only; an ADMIN cannot grant OWNER "
        "(PERMISSION_DENIED)."
    )
    async def add_member(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The member's e-mail address.")],
        role: Annotated[Role, strawberry.argument(description="The role they get.")],
    ) -> AddedMember:
        return AddedMember.of(await members.add_member(info.context, email, role))

    @strawberry.mutation(
        description="Give a member another role; it applies at once, to their open websockets too. " + RULES
    )
    async def update_member_role(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The member to change: their user id (Member.user.id)."),
        ],
        role: Annotated[Role, strawberry.argument(description="The new role: OWNER, ADMIN, AGENT or VIEWER.")],
    ) -> Member:
        return Member.of(await members.update_member_role(info.context, user_id, role))

    @strawberry.mutation(
        description="Remove a member from your organization; their open websockets close at once (4403). "
        "Answers the member as they were. " + RULES
    )
    async def remove_member(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The member to remove: their user id (Member.user.id)."),
        ],
    ) -> Member:
        return Member.of(await members.remove_member(info.context, user_id))
