"""Types of the AI answers: a sentiment, a voice search's interpretation and results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from winnerr.ai.sentiment import SentimentLabel
from winnerr.ai.voice_search import Intent
from winnerr.schema.deals.types import Deal
from winnerr.schema.described import describe_values
from winnerr.schema.enums import DealStatus, DealType, LeadSource, PersonStatus, PropertyStatus, PropertyType
from winnerr.schema.pagination import Page
from winnerr.schema.people.types import Person
from winnerr.schema.properties.types import Property

strawberry.enum(SentimentLabel, description="POSITIVE (score ≥ 0.05), NEGATIVE (≤ −0.05) or NEUTRAL.")
describe_values(
    SentimentLabel,
    {
        "POSITIVE": "Score ≥ 0.05: friendly, keen or pleased.",
        "NEUTRAL": "Score between −0.05 and 0.05: matter-of-fact.",
        "NEGATIVE": "Score ≤ −0.05: unhappy, annoyed or worried.",
    },
)


@strawberry.type(description="The sentiment of a text, computed offline (VADER adapted to real-estate talk).")
class Sentiment:
    score: float = strawberry.field(description="−1 (most negative) to 1 (most positive), 3 decimals.")
    label: SentimentLabel = strawberry.field(description="The score's band: POSITIVE, NEUTRAL or NEGATIVE.")


@strawberry.type(description="What a voice search heard for properties: the fields of PropertySearchInput.")
class VoicePropertyFilters:
    property_type: PropertyType | None = strawberry.field(default=None, description="condo, townhome, house…")
    min_price: Decimal | None = strawberry.field(default=None, description="Dollars; \"around X\" is X − 10%.")
    max_price: Decimal | None = strawberry.field(default=None, description="Dollars; \"around X\" is X + 10%.")
    bedrooms: int | None = strawberry.field(default=None, description="At least this many bedrooms.")
    bathrooms: Decimal | None = strawberry.field(default=None, description="At least this many, in halves.")
    city: str | None = strawberry.field(default=None, description="One of the organization's property cities.")
    state: str | None = strawberry.field(default=None, description="Two-letter US state abbreviation.")
    zip_code: str | None = strawberry.field(default=None, description="Five digits.")
    status: PropertyStatus | None = strawberry.field(default=None, description="sold, pending, for sale.")


@strawberry.type(description="What a voice search heard for people: the fields of PersonFilter, and a name.")
class VoicePeopleFilters:
    search: str | None = strawberry.field(default=None, description="A name heard (\"find Jennifer Lopez\").")
    status: list[PersonStatus] | None = strawberry.field(default=None, description="leads, clients, prospects…")
    source: list[LeadSource] | None = strawberry.field(default=None, description="\"from referrals\"…")
    min_lead_score: int | None = strawberry.field(default=None, description="70 for \"hot leads\".")
    contacted_before: datetime | None = strawberry.field(
        default=None, description="\"haven't talked to in two weeks\": midnight UTC, 14 days ago."
    )
    contacted_after: datetime | None = strawberry.field(default=None, description="\"contacted this week\".")
    city: str | None = strawberry.field(default=None, description="One of the organization's property cities.")
    state: str | None = strawberry.field(default=None, description="Two-letter US state abbreviation.")


@strawberry.type(description="What a voice search heard for deals: the fields of DealFilter.")
class VoiceDealFilters:
    status: list[DealStatus] | None = strawberry.field(default=None, description="open, won, lost.")
    deal_type: list[DealType] | None = strawberry.field(default=None, description="listings, rentals…")
    min_amount: Decimal | None = strawberry.field(default=None, description="Dollars.")
    max_amount: Decimal | None = strawberry.field(default=None, description="Dollars.")
    stage_id: strawberry.ID | None = strawberry.field(
        default=None, description="The stage named (\"in the showing stage\"), the default pipeline's first."
    )
    expected_close_after: date | None = strawberry.field(default=None, description="\"closing this month\".")
    expected_close_before: date | None = strawberry.field(default=None, description="\"closing this month\".")


strawberry.enum(Intent, name="VoiceSearchIntent", description="What a voice search asked for.")
describe_values(
    Intent,
    {
        "SEARCH_PROPERTIES": "Homes were asked for: see propertyFilters and properties.",
        "SEARCH_PEOPLE": "Contacts were asked for: see peopleFilters and people.",
        "SEARCH_DEALS": "Deals were asked for: see dealFilters and deals.",
        "UNKNOWN": "The transcript could not be understood as a search; every list is empty.",
    },
)


@strawberry.type(description="A spoken request, what it was understood as, and the first page of its results.")
class VoiceSearchResult:
    transcript: str = strawberry.field(description="What was searched for, as given.")
    intent: Intent = strawberry.field(description="SEARCH_PROPERTIES, SEARCH_PEOPLE, SEARCH_DEALS or UNKNOWN.")
    interpreted_as: str = strawberry.field(description="The filters understood, as a sentence.")
    property_filters: VoicePropertyFilters = strawberry.field(description="Empty unless SEARCH_PROPERTIES.")
    people_filters: VoicePeopleFilters = strawberry.field(description="Empty unless SEARCH_PEOPLE.")
    deal_filters: VoiceDealFilters = strawberry.field(description="Empty unless SEARCH_DEALS.")
    properties: Page[Property] | None = strawberry.field(description="First page (20); null unless SEARCH_PROPERTIES.")
    people: Page[Person] | None = strawberry.field(description="First page (20); null unless SEARCH_PEOPLE.")
    deals: Page[Deal] | None = strawberry.field(description="First page (20); null unless SEARCH_DEALS.")
