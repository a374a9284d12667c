"""The subscriptions: `dealUpdated`, `communicationCreated`, `presence`.

Each is scoped to the caller's organization. `after: N` first replays the events after sequence N from the
events table, then goes live, with no gap and no repeat.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from winnerr.resolvers import live
from winnerr.schema.live.types import CommunicationEvent, DealEvent, PresenceEvent
from winnerr.schema.types import Info

After = Annotated[
    int | None,
    strawberry.argument(description="First replay the events after this sequence (the last you saw), then go live."),
]
"""The `after` argument of every subscription."""


@strawberry.type(
    description="Live events of your organization over a websocket (graphql-transport-ws or graphql-ws) or "
    "Server-Sent Events; each event has a `sequence` to resume from with `after`."
)
class Subscription:
    @strawberry.subscription(description="Deals created, updated, moved or deleted; with `id`, that deal's only.")
    async def deal_updated(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this deal's events; null for every deal of your organization."),
        ] = None,
        after: After = None,
    ) -> AsyncGenerator[DealEvent, None]:
        async for event in live.deal_events(info.context, id, after, DealEvent.of):
            yield event

    @strawberry.subscription(description="Communications logged; with `personId`, that person's only.")
    async def communication_created(
        self,
        info: Info,
        person_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this person's; null for the whole organization's."),
        ] = None,
        after: After = None,
    ) -> AsyncGenerator[CommunicationEvent, None]:
        async for event in live.communication_events(info.context, person_id, after, CommunicationEvent.of):
            yield event

    @strawberry.subscription(
        description="Members coming ONLINE (first websocket) and going OFFLINE (no websocket left for the "
        "presence grace period, PRESENCE_GRACE_SECONDS, or expired); a reconnect within it is not announced."
    )
    async def presence(self, info: Info, after: After = None) -> AsyncGenerator[PresenceEvent, None]:
        async for event in live.presence_events(info.context, after, PresenceEvent.of):
            yield event
