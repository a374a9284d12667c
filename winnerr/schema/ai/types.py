"""Types of the AI answers: a sentiment, a voice search's interpretation and results."""

from __future__ import annotations

import strawberry

from winnerr.ai.sentiment import SentimentLabel

strawberry.enum(SentimentLabel, description="POSITIVE (score ≥ 0.05), NEGATIVE (≤ −0.05) or NEUTRAL.")


@strawberry.type(description="The sentiment of a text, computed offline (VADER adapted to real-estate talk).")
class Sentiment:
    score: float = strawberry.field(description="−1 (most negative) to 1 (most positive), 3 decimals.")
    label: SentimentLabel = strawberry.field(description="The score's band: POSITIVE, NEUTRAL or NEGATIVE.")
