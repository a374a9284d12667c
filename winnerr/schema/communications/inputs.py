"""Input for logging a communication."""

from __future__ import annotations

from datetime import datetime

import strawberry

from winnerr.schema.enums import CommunicationChannel, Direction


@strawberry.input(
    description="subject ≤ 200 characters, body ≤ 10,000; recordingUrl an https URL; occurredAt defaults to now."
)
class LogCommunicationInput:
    person_id: strawberry.ID
    channel: CommunicationChannel
    direction: Direction
    subject: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    occurred_at: datetime | None = strawberry.UNSET
    duration_seconds: int | None = strawberry.UNSET
    external_id: str | None = strawberry.UNSET
    recording_url: str | None = strawberry.UNSET
