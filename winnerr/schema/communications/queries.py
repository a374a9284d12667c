"""Reading communications: `communications(personId, channel, page, limit)`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import communications
from winnerr.schema.communications.types import Communication
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.enums import CommunicationChannel
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info


@strawberry.type
class CommunicationsQuery:
    @strawberry.field(description="Newest first: one person's, or the whole organization's. Paged (limit 1–100).")
    async def communications(
        self,
        info: Info,
        person_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this person's; null for the whole organization's."),
        ] = None,
        channel: Annotated[
            CommunicationChannel | None,
            strawberry.argument(description="Only this channel (CALL, SMS, EMAIL, NOTE, MEETING)."),
        ] = None,
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> Page[Communication]:
        result = await communications.list_communications(info.context, person_id, channel, page, limit)
        return Page.of(result, lambda row: from_row(Communication, row))
