"""The `Communication` type."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from winnerr.ai.sentiment import SentimentLabel
from winnerr.db import models
from winnerr.schema.ai.types import Sentiment
from winnerr.schema.enums import CommunicationChannel, Direction
from winnerr.schema.mapping import from_row, mapped
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info


@mapped(models.Communication)
@strawberry.type(description="A call, text, e-mail, note or meeting with a person.")
class Communication:
    id: strawberry.ID = strawberry.field(description="Unique identifier (UUID).")
    channel: CommunicationChannel = strawberry.field(description="CALL, SMS, EMAIL, NOTE or MEETING.")
    direction: Direction = strawberry.field(
        description="INBOUND (the person started it) or OUTBOUND (the organization did)."
    )
    subject: str | None = strawberry.field(
        description="An e-mail's subject line or a short title, at most 200 characters."
    )
    body: str | None = strawberry.field(
        description="The message text (text, e-mail body, note), at most 10,000 characters."
    )
    occurred_at: datetime = strawberry.field(
        description="When it happened (ISO 8601 with time zone); lists are ordered by it."
    )
    duration_seconds: int | None = strawberry.field(
        description="A call's or meeting's length in seconds; null for messages."
    )
    external_id: str | None = strawberry.field(description="The provider's id (Twilio, Nylas), when it came from one.")
    recording_url: str | None = strawberry.field(
        description="An https URL of a call's recording (Twilio's), when there is one."
    )
    media_urls: list[str] = strawberry.field(description="Pictures and files sent with a text (Twilio's MediaUrl).")
    thread_id: str | None = strawberry.field(description="The e-mail thread it belongs to (Nylas's thread id).")
    created_at: datetime = strawberry.field(
        description="When it was stored here (ISO 8601); may be later than occurredAt."
    )
    person_id: strawberry.Private[uuid.UUID]
    sentiment_score: strawberry.Private[float]
    sentiment_label: strawberry.Private[SentimentLabel]

    @strawberry.field(description="The message's sentiment (subject and body), computed when it was stored.")
    def sentiment(self) -> Sentiment:
        return Sentiment(score=self.sentiment_score, label=self.sentiment_label)

    @strawberry.field(description="Who the communication was with.")
    async def person(self, info: Info) -> Person:
        return from_row(Person, await info.context.loaders.person.load(self.person_id))
