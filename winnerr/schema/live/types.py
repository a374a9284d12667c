"""Event types: what a subscription delivers and what the audit log lists."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from winnerr.db.enums import EventType
from winnerr.resolvers.live import LiveEvent
from winnerr.schema.communications.types import Communication
from winnerr.schema.deals.types import Deal
from winnerr.schema.described import described_enum
from winnerr.schema.mapping import from_row
from winnerr.schema.viewer.types import User

described_enum(
    EventType,
    "What changed; an event's `entityId` names the record (the member's user id for the MEMBER_ events).",
    {
        "DEAL_CREATED": "A deal was created.",
        "DEAL_UPDATED": "A deal's fields changed (updateDeal, favorites excepted).",
        "DEAL_MOVED": "A deal moved to another stage (moveDealStage).",
        "DEAL_DELETED": "A deal was deleted.",
        "COMMUNICATION_CREATED": "A communication was logged, sent or received.",
        "TASK_CREATED": "A task was created.",
        "TASK_UPDATED": "A task changed or was completed.",
        "MEMBER_ONLINE": "A member opened their first websocket.",
        "MEMBER_OFFLINE": "A member's last websocket closed (after the presence grace period).",
        "MEMBER_REMOVED": "A member was removed from the organization.",
        "MEMBER_ROLE_CHANGED": "A member got another role.",
        "MEMBER_ADDED": "A member joined the organization (addMember).",
    },
)


@strawberry.enum(description="Whether a member has a websocket open.")
class PresenceStatus(Enum):
    ONLINE = strawberry.enum_value("ONLINE", description="The member's first websocket opened.")
    OFFLINE = strawberry.enum_value("OFFLINE", description="The member's last websocket closed.")


@strawberry.interface(description="Something that changed, numbered per organization in commit order.")
class LiveUpdate:
    sequence: int = strawberry.field(description="Increases per organization; pass it as `after` to resume.")
    type: EventType = strawberry.field(
        description="What happened (DEAL_CREATED, COMMUNICATION_CREATED, MEMBER_ONLINE, ...)."
    )
    actor_id: strawberry.ID | None = strawberry.field(description="The member who made the change.")
    occurred_at: datetime = strawberry.field(description="When the change was committed (ISO 8601 with time zone).")


def _header(event: LiveEvent[object]) -> dict[str, object]:
    notice = event.notice
    actor = strawberry.ID(str(notice.actor_id)) if notice.actor_id else None
    return {"sequence": notice.sequence, "type": notice.type, "actor_id": actor, "occurred_at": notice.occurred_at}


@strawberry.type(description="A deal was created, updated, moved or deleted (dealUpdated).")
class DealEvent(LiveUpdate):
    deal_id: strawberry.ID = strawberry.field(description="Which deal; still given after it was deleted.")
    deal: Deal | None = strawberry.field(description="The deal as it is now; null once deleted.")

    @classmethod
    def of(cls, event: LiveEvent[object]) -> DealEvent:
        deal = from_row(Deal, event.row) if event.row is not None else None
        return cls(**_header(event), deal_id=strawberry.ID(str(event.notice.entity_id)), deal=deal)  # type: ignore[arg-type]


@strawberry.type(description="A communication was logged, sent or received (communicationCreated).")
class CommunicationEvent(LiveUpdate):
    communication_id: strawberry.ID = strawberry.field(
        description="Which communication; read it with `communications` or the field beside."
    )
    communication: Communication | None = strawberry.field(
        description="The communication as stored; null if it is no longer there."
    )

    @classmethod
    def of(cls, event: LiveEvent[object]) -> CommunicationEvent:
        communication = from_row(Communication, event.row) if event.row is not None else None
        entity = strawberry.ID(str(event.notice.entity_id))
        return cls(**_header(event), communication_id=entity, communication=communication)  # type: ignore[arg-type]


@strawberry.type(description="A member came online or went offline (presence).")
class PresenceEvent(LiveUpdate):
    status: PresenceStatus = strawberry.field(description="ONLINE or OFFLINE.")
    member: User | None = strawberry.field(description="Who; null if the user no longer exists.")

    @classmethod
    def of(cls, event: LiveEvent[object]) -> PresenceEvent:
        status = PresenceStatus.ONLINE if event.notice.type is EventType.MEMBER_ONLINE else PresenceStatus.OFFLINE
        member = from_row(User, event.row) if event.row is not None else None
        return cls(**_header(event), status=status, member=member)  # type: ignore[arg-type]


@strawberry.type(description="An entry of the audit log.")
class AuditEvent(LiveUpdate):
    entity_id: strawberry.ID = strawberry.field(
        description="The record the event is about: a deal, communication or task id, or a member's user id."
    )
