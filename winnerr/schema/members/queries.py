"""Reading members: `members(page, limit)`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import members
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.members.types import Member
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info


@strawberry.type
class MembersQuery:
    @strawberry.field(
        description="Your organization's members with their roles and when they were last seen, oldest "
        "membership first. Any member may read them. Paged: limit 1–100."
    )
    async def members(self, info: Info, page: PageNumber = 1, limit: PageLimit = 20) -> Page[Member]:
        return Page.of(await members.list_members(info.context, page, limit), Member.of)
