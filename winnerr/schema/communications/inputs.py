"""Input for logging a communication."""

from __future__ import annotations

from datetime import datetime

import strawberry

from winnerr.schema.enums import CommunicationChannel, Direction


@strawberry.input(
    description="subject ≤ 200 characters, body ≤ 10,000; recordingUrl an https URL; occurredAt defaults to now."
)
class LogCommunicationInput:
    person_id: strawberry.ID = strawberry.field(
        description="Who it was with: a person of your organization (NOT_FOUND otherwise)."
    )
    channel: CommunicationChannel = strawberry.field(description="CALL, SMS, EMAIL, NOTE or MEETING.")
    direction: Direction = strawberry.field(description="INBOUND (the person started it) or OUTBOUND (you did).")
    subject: str | None = strawberry.field(
        default=strawberry.UNSET, description="An e-mail's subject or a short title, at most 200 characters."
    )
    body: str | None = strawberry.field(
        default=strawberry.UNSET, description="The message text or notes, at most 10,000 characters."
    )
    occurred_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When it happened (ISO 8601 with time zone); defaults to now."
    )
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description="A call's or meeting's length in seconds, 0 or more."
    )
    external_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="The provider's id for it (e.g. a Twilio SID), if it came from one."
    )
    recording_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="An https URL of the call's recording."
    )
