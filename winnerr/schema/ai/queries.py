"""`sentiment(text)`, `voiceSearch(transcript)` and `insights`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import ai
from winnerr.schema.ai.types import Sentiment
from winnerr.schema.types import Info


@strawberry.type
class AiQuery:
    @strawberry.field(
        description="The sentiment of a text (at most 20,000 characters). Empty, emoji-only or non-English "
        "text is NEUTRAL with score 0."
    )
    def sentiment(self, info: Info, text: str) -> Sentiment:
        found = ai.text_sentiment(info.context, text)
        return Sentiment(score=found.score, label=found.label)
