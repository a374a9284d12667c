"""Reading integrations: `integrations`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import integrations
from winnerr.schema.integrations.types import Integration
from winnerr.schema.mapping import from_rows
from winnerr.schema.types import Info


@strawberry.type
class IntegrationsQuery:
    @strawberry.field(
        description="The organization's connected provider accounts (an organization has a handful), by "
        "provider. OWNER and ADMIN only."
    )
    async def integrations(self, info: Info) -> list[Integration]:
        return from_rows(Integration, await integrations.list_integrations(info.context))
