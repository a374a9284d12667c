"""The AI queries: the sentiment of a text and voice search, under the caller's permissions."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from winnerr.ai.sentiment import MAX_TEXT_LENGTH, Sentiment, sentiment
from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.resolvers.validation import Rules, validate


class SentimentRules(Rules):
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)]


def text_sentiment(ctx: Context, text: str) -> Sentiment:
    ctx.principal.require(Permission.READ)
    return sentiment(validate(SentimentRules, {"text": text}, at=None).text)
