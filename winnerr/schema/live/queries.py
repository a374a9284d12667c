"""The audit log (`events`) and `onlineMembers`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.db.enums import EventType
from winnerr.resolvers import live
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.live.types import AuditEvent
from winnerr.schema.mapping import from_rows
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info
from winnerr.schema.viewer.types import User


@strawberry.type
class LiveQuery:
    @strawberry.field(
        description="The audit log: your organization's events after the sequence `after`, oldest first, "
        "paged (limit 1–100); optionally one entity's, or one type's. To read on, pass the last sequence "
        "you saw as `after`."
    )
    async def events(
        self,
        info: Info,
        entity_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only events about this record (a deal, communication, task or member id)."
            ),
        ] = None,
        type: Annotated[EventType | None, strawberry.argument(description="Only events of this type.")] = None,
        after: Annotated[
            int | None,
            strawberry.argument(description="Only events with a higher sequence than this; null from the beginning."),
        ] = None,
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> Page[AuditEvent]:
        given = {"entity_id": entity_id, "type": type, "after": after, "page": page, "limit": limit}
        result = await live.audit_events(info.context, {k: v for k, v in given.items() if v is not None})
        return Page.of(
            result,
            lambda row: AuditEvent(
                sequence=row.sequence,
                type=row.type,
                actor_id=strawberry.ID(str(row.actor_id)) if row.actor_id else None,
                occurred_at=row.occurred_at,
                entity_id=strawberry.ID(str(row.entity_id)),
            ),
        )

    @strawberry.field(description="Members with a websocket open, on any instance (at most 100, by e-mail).")
    async def online_members(self, info: Info) -> list[User]:
        return from_rows(User, await live.online_members(info.context))
