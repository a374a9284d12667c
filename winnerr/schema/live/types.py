"""Event types: what a subscription delivers and what the audit log lists."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from winnerr.db.enums import EventType
from winnerr.resolvers.live import LiveEvent
from winnerr.schema.communications.types import Communication
from winnerr.schema.deals.types import Deal
from winnerr.schema.mapping import from_row
from winnerr.schema.viewer.types import User

strawberry.enum(EventType)


@strawberry.enum
class PresenceStatus(Enum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"


@strawberry.interface(description="Something that changed, numbered per organization in commit order.")
class LiveUpdate:
    sequence: int = strawberry.field(description="Increases per organization; pass it as `after` to resume.")
    type: EventType
    actor_id: strawberry.ID | None = strawberry.field(description="The member who made the change.")
    occurred_at: datetime


def _header(event: LiveEvent[object]) -> dict[str, object]:
    notice = event.notice
    actor = strawberry.ID(str(notice.actor_id)) if notice.actor_id else None
    return {"sequence": notice.sequence, "type": notice.type, "actor_id": actor, "occurred_at": notice.occurred_at}


@strawberry.type
class DealEvent(LiveUpdate):
    deal_id: strawberry.ID
    deal: Deal | None = strawberry.field(description="The deal as it is now; null once deleted.")

    @classmethod
    def of(cls, event: LiveEvent[object]) -> DealEvent:
        deal = from_row(Deal, event.row) if event.row is not None else None
        return cls(**_header(event), deal_id=strawberry.ID(str(event.notice.entity_id)), deal=deal)  # type: ignore[arg-type]


@strawberry.type
class CommunicationEvent(LiveUpdate):
    communication_id: strawberry.ID
    communication: Communication | None

    @classmethod
    def of(cls, event: LiveEvent[object]) -> CommunicationEvent:
        communication = from_row(Communication, event.row) if event.row is not None else None
        entity = strawberry.ID(str(event.notice.entity_id))
        return cls(**_header(event), communication_id=entity, communication=communication)  # type: ignore[arg-type]


@strawberry.type
class PresenceEvent(LiveUpdate):
    status: PresenceStatus
    member: User | None

    @classmethod
    def of(cls, event: LiveEvent[object]) -> PresenceEvent:
        status = PresenceStatus.ONLINE if event.notice.type is EventType.MEMBER_ONLINE else PresenceStatus.OFFLINE
        member = from_row(User, event.row) if event.row is not None else None
        return cls(**_header(event), status=status, member=member)  # type: ignore[arg-type]


@strawberry.type(description="An entry of the audit log.")
class AuditEvent(LiveUpdate):
    entity_id: strawberry.ID
