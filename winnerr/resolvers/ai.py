"""The AI queries: the sentiment of a text and voice search, under the caller's permissions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import Select, select

from winnerr.ai.sentiment import MAX_TEXT_LENGTH, Sentiment, sentiment
from winnerr.ai.voice_search import Intent, Interpretation, parse
from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.models import Deal, Person, Pipeline, PipelineStage, Property
from winnerr.db.scope import tenant_join
from winnerr.resolvers import deals, people, properties
from winnerr.resolvers.pagination import Page
from winnerr.resolvers.querying import SortDirection
from winnerr.resolvers.validation import Rules, validate

MAX_TRANSCRIPT_LENGTH = 1000
MAX_CITIES = 1000
"""The organization's cities a transcript is matched against (distinct cities of its properties)."""
MAX_STAGES_HEARD = 200


class SentimentRules(Rules):
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)]


def text_sentiment(ctx: Context, text: str) -> Sentiment:
    ctx.principal.require(Permission.READ)
    return sentiment(validate(SentimentRules, {"text": text}, at=None).text)


class VoiceSearchRules(Rules):
    transcript: Annotated[str, StringConstraints(max_length=MAX_TRANSCRIPT_LENGTH)]


@dataclass(frozen=True, slots=True)
class VoiceSearch:
    interpretation: Interpretation
    stage_id: uuid.UUID | None
    properties: Page[Property] | None
    people: Page[Person] | None
    deals: Page[Deal] | None


async def voice_search(ctx: Context, transcript: str) -> VoiceSearch:
    """Understand the transcript and run the search it asks for (its first page), as the caller."""
    ctx.principal.require(Permission.READ)
    text = validate(VoiceSearchRules, {"transcript": transcript}, at=None).transcript
    cities = await ctx.scope.rows(select(Property.city).where(ctx.scope.where(Property)).distinct().limit(MAX_CITIES))
    stages: list[tuple[uuid.UUID, str]] = [(row.id, row.name) for row in (await ctx.scope.execute(_stages(ctx))).all()]
    found = parse(text, cities=cities, stages=[name for _, name in stages], today=datetime.now(UTC).date())
    stage_id = next((stage_id for stage_id, name in stages if name == found.stage_name), None)
    result = VoiceSearch(found, stage_id, None, None, None)
    if found.intent is Intent.SEARCH_PROPERTIES:
        return replace(result, properties=await properties.search_properties(ctx, found.property_filters))
    if found.intent is Intent.SEARCH_PEOPLE:
        listed = await people.list_people(
            ctx, search=found.people_search, filters=found.people_filters, sort=None, page=1, limit=None
        )
        return replace(result, people=listed)
    if found.intent is Intent.SEARCH_DEALS:
        filters = found.deal_filters | ({"stage_id": stage_id} if stage_id else {})
        newest = (deals.DealSortField.CREATED_AT, SortDirection.DESC)
        return replace(result, deals=await deals.list_deals(ctx, filters=filters, sort=newest, page=1, limit=None))
    return result


def _stages(ctx: Context) -> Select[uuid.UUID, str]:
    """Stage ids and names, the default pipeline's first."""
    return (
        select(PipelineStage.id, PipelineStage.name)
        .join(Pipeline, tenant_join(Pipeline, PipelineStage, PipelineStage.pipeline_id))
        .where(ctx.scope.where(PipelineStage), ctx.scope.where(Pipeline))
        .order_by(Pipeline.is_default.desc(), PipelineStage.position)
        .limit(MAX_STAGES_HEARD)
    )
