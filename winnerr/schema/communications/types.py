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
    id: strawberry.ID
    channel: CommunicationChannel
    direction: Direction
    subject: str | None
    body: str | None
    occurred_at: datetime
    duration_seconds: int | None
    external_id: str | None = strawberry.field(description="The provider's id (Twilio, Nylas), when it came from one.")
    recording_url: str | None
    media_urls: list[str] = strawberry.field(description="Pictures and files sent with a text (Twilio's MediaUrl).")
    thread_id: str | None = strawberry.field(description="The e-mail thread it belongs to (Nylas's thread id).")
    created_at: datetime
    person_id: strawberry.Private[uuid.UUID]
    sentiment_score: strawberry.Private[float]
    sentiment_label: strawberry.Private[SentimentLabel]

    @strawberry.field(description="The message's sentiment (subject and body), computed when it was stored.")
    def sentiment(self) -> Sentiment:
        return Sentiment(score=self.sentiment_score, label=self.sentiment_label)

    @strawberry.field
    async def person(self, info: Info) -> Person:
        return from_row(Person, await info.context.loaders.person.load(self.person_id))
