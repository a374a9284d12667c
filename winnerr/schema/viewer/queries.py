"""`me`: the caller."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import organizations
from winnerr.schema.mapping import from_row
from winnerr.schema.types import Info
from winnerr.schema.viewer.types import Organization, User, Viewer


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="You: your user, the organization of this request, your role and permissions.")
    async def me(self, info: Info) -> Viewer:
        viewer = await organizations.viewer(info.context)
        return Viewer(
            user=from_row(User, viewer.user),
            organization=from_row(Organization, viewer.organization),
            role=viewer.role,
            permissions=sorted(permission.value for permission in viewer.permissions),
        )
