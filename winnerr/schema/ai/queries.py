"""`sentiment(text)`, `voiceSearch(transcript)` and `insights`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.auth.permissions import Permission
from winnerr.resolvers import ai
from winnerr.schema.ai.insights import Insights
from winnerr.schema.ai.types import (
    Sentiment,
    VoiceDealFilters,
    VoicePeopleFilters,
    VoicePropertyFilters,
    VoiceSearchResult,
)
from winnerr.schema.deals.types import Deal
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.people.types import Person
from winnerr.schema.properties.types import Property
from winnerr.schema.types import Info


@strawberry.type
class AiQuery:
    @strawberry.field(
        description="The sentiment of a text (at most 20,000 characters). Empty, emoji-only or non-English "
        "text is NEUTRAL with score 0."
    )
    def sentiment(
        self, info: Info, text: Annotated[str, strawberry.argument(description="Any text, ≤ 20,000 characters.")]
    ) -> Sentiment:
        found = ai.text_sentiment(info.context, text)
        return Sentiment(score=found.score, label=found.label)

    @strawberry.field(
        description="A spoken request (a transcript of at most 1,000 characters) turned into filters and run "
        "as you, in your organization: the first page of the properties, people or deals it asks for."
    )
    async def voice_search(
        self,
        info: Info,
        transcript: Annotated[str, strawberry.argument(description="What was said, ≤ 1,000 characters.")],
    ) -> VoiceSearchResult:
        found = await ai.voice_search(info.context, transcript)
        heard = found.interpretation
        return VoiceSearchResult(
            transcript=transcript,
            intent=heard.intent,
            interpreted_as=heard.interpreted_as,
            property_filters=VoicePropertyFilters(**heard.property_filters),
            people_filters=VoicePeopleFilters(search=heard.people_search, **heard.people_filters),
            deal_filters=VoiceDealFilters(
                stage_id=strawberry.ID(str(found.stage_id)) if found.stage_id else None, **heard.deal_filters
            ),
            properties=None if found.properties is None else Page.of(found.properties, lambda r: from_row(Property, r)),
            people=None if found.people is None else Page.of(found.people, lambda row: from_row(Person, row)),
            deals=None if found.deals is None else Page.of(found.deals, lambda row: from_row(Deal, row)),
        )

    @strawberry.field(description="The organization's insights: hot leads, stale deals and the pipeline forecast.")
    def insights(self, info: Info) -> Insights:
        info.context.principal.require(Permission.READ)
        return Insights()
