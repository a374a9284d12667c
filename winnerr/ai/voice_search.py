"""A spoken search request turned into the filters of the property, people and deal searches.

Deterministic and explainable: number words become digits (text2num), states are recognized by name and,
when written in capitals or after a comma, by abbreviation (the `us` package), cities are those of the
organization's own properties, and the rest is a small vocabulary of how agents ask for things. Words that
are not understood are ignored, never guessed; a request with nothing understood is UNKNOWN with no filters.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import us
from text_to_num import alpha2digit

from winnerr.db.enums import DealStatus, DealType, LeadSource, PersonStatus, PropertyStatus, PropertyType


class Intent(StrEnum):
    SEARCH_PROPERTIES = "SEARCH_PROPERTIES"
    SEARCH_PEOPLE = "SEARCH_PEOPLE"
    SEARCH_DEALS = "SEARCH_DEALS"
    UNKNOWN = "UNKNOWN"


@dataclass
class Interpretation:
    """Filters by the Python names of the search rules (`PropertySearchRules`, `PersonFilterRules`,
    `DealFilterRules`)."""

    intent: Intent = Intent.UNKNOWN
    property_filters: dict[str, Any] = field(default_factory=dict)
    people_filters: dict[str, Any] = field(default_factory=dict)
    deal_filters: dict[str, Any] = field(default_factory=dict)
    people_search: str | None = None
    stage_name: str | None = None
    phrases: list[str] = field(default_factory=list)
    """What was understood, in words, for `interpreted_as`."""

    @property
    def interpreted_as(self) -> str:
        if self.intent is Intent.UNKNOWN:
            return "Nothing I could search for was understood."
        subject = {
            Intent.SEARCH_PROPERTIES: "properties",
            Intent.SEARCH_PEOPLE: "people",
            Intent.SEARCH_DEALS: "deals",
        }[self.intent]
        return f"Searching {subject}" + (": " + ", ".join(self.phrases) if self.phrases else "") + "."


NUMBER = r"(\d+(?:\.\d+)?)"
SCALES = {"k": 1_000, "thousand": 1_000, "grand": 1_000, "m": 1_000_000, "mil": 1_000_000, "million": 1_000_000}
MONEY = rf"\$?\s?{NUMBER}\s?(k|thousand|grand|m|mil|million)?\b"
BETWEEN = re.compile(rf"\bbetween {MONEY} (?:and|to) {MONEY}")
FROM_TO = re.compile(rf"\bfrom {MONEY} to {MONEY}")
AROUND = re.compile(rf"\b(?:around|about|roughly|approximately|near|close to) {MONEY}")
AT_MOST = re.compile(rf"\b(?:under|below|less than|up to|at most|max(?:imum)?|no more than|cheaper than) {MONEY}")
AT_LEAST = re.compile(rf"\b(?:over|above|(?<!no )more than|at least|min(?:imum)?|starting at|upwards of) {MONEY}")
BEDROOMS = re.compile(rf"\b{NUMBER}\s?(?:\+\s?)?(?:bed(?:room)?s?|br|bd)\b")
BATHROOMS = re.compile(rf"\b{NUMBER}\s?(?:\+\s?)?(?:bath(?:room)?s?|ba)\b")
ZIP_CODE = re.compile(r"\b(\d{5})\b")
HALF = re.compile(r"\b(\d+) and a half\b")

PROPERTY_TYPES = (
    (r"\b(condo(minium)?s?|apartments?|flats?)\b", PropertyType.CONDO, "condos"),
    (r"\b(town ?homes?|town ?houses?|row ?houses?)\b", PropertyType.TOWNHOUSE, "townhouses"),
    (r"\b(single[- ]family( homes?| houses?)?|houses?|detached( homes?)?)\b", PropertyType.SINGLE_FAMILY,
     "single-family homes"),
)
PROPERTY_STATUSES = (
    (r"\b(sold|closed sales?)\b", PropertyStatus.SOLD, "sold"),
    (r"\b(pending|under contract)\b", PropertyStatus.PENDING, "pending"),
    (r"\b(for sale|active|available|on the market)\b", PropertyStatus.ACTIVE, "for sale"),
)
PROPERTY_WORDS = re.compile(
    r"\b(propert(y|ies)|homes?|houses?|condos?|apartments?|townhomes?|townhouses?|places?|bed(room)?s?|"
    r"bath(room)?s?|br|ba|for sale|sold|listings? (in|under|over)|real estate)\b"
)
DEAL_WORDS = re.compile(r"\b(deals?|pipeline|closing|close|rentals?|listings?|buyer representation|escrow)\b")
PEOPLE_WORDS = re.compile(
    r"\b(leads?|clients?|people|contacts?|prospects?|customers?|buyers?|sellers?|talked|spoken|heard from|"
    r"contacted)\b"
)
PERSON_STATUSES = (
    (r"\bqualified leads?\b", PersonStatus.QUALIFIED, "qualified leads"),
    (r"\bprospects?\b", PersonStatus.PROSPECT, "prospects"),
    (r"\b(past|former|old) clients?\b", PersonStatus.PAST_CLIENT, "past clients"),
    (r"\b(active )?clients?\b", PersonStatus.ACTIVE_CLIENT, "active clients"),
    (r"\bleads?\b", PersonStatus.LEAD, "leads"),
)
LEAD_SOURCES = (
    (r"\breferrals?|referred\b", LeadSource.REFERRAL, "from referrals"),
    (r"\b(website|web site|online|internet)\b", LeadSource.WEBSITE, "from the website"),
    (r"\b(social media|facebook|instagram|social)\b", LeadSource.SOCIAL_MEDIA, "from social media"),
    (r"\bcold calls?(ing)?\b", LeadSource.COLD_CALL, "from cold calls"),
)
HOT = re.compile(r"\b(hot|warm|best|top)\b")
HOT_LEAD_SCORE = 70
NOT_CONTACTED = re.compile(
    r"\b(?:haven'?t|have not|hasn'?t|not|didn'?t|did not)\s+(?:talked|spoken|heard from|contacted|called|reached)"
    r"(?: to| with| out to)?(?: them| anyone)?(?: in| for)?(?: the last| over)?"
    r"\s+(?:an? )?(\d+)?\s*(day|week|month)s?\b"
)
CONTACTED_WITHIN = re.compile(
    r"\b(?:talked to|contacted|spoke with|spoken to)\s+(?:in the last|this|within)\s+(\d+)?\s*(day|week|month)s?\b"
)
DAYS = {"day": 1, "week": 7, "month": 30}
NAME_COMMAND = re.compile(
    r"^(?:please\s+)?(?:find|call|look up|lookup|search for|pull up|show me|get me|who is)\s+(.+)$"
)
NAME_WORD = re.compile(r"^[a-z][a-z'\-]+$")
DEAL_TYPES = (
    (r"\brentals?\b|\blease\b", DealType.RENTAL, "rentals"),
    (r"\bbuyer(s|'s)? (representation|deals?)\b|\bbuyer side\b", DealType.BUYER_REPRESENTATION, "buyer deals"),
    (r"\blistings?\b", DealType.LISTING, "listings"),
)
DEAL_STATUSES = (
    (r"\b(won|closed won|closed)\b(?! this| next| in)", DealStatus.WON, "won"),
    (r"\blost\b", DealStatus.LOST, "lost"),
    (r"\b(open|active|in progress)\b", DealStatus.OPEN, "open"),
)
CLOSING = re.compile(r"\bclos(?:e|es|ing)\s+(this|next)\s+(month|week)\b")
STAGE = re.compile(r"\b(?:in|at) (?:the )?([a-z ]+?) stage\b")
FILLER = re.compile(r"[^\w$.,'/+\- ]")
STATE_NAMES = sorted(((state.name.lower(), state.abbr) for state in us.states.STATES_AND_TERRITORIES), reverse=True)
STATE_ABBREVIATIONS = {state.abbr for state in us.states.STATES_AND_TERRITORIES}


def _normalized(transcript: str) -> str:
    text = FILLER.sub(" ", transcript.lower())
    text = re.sub(r"\bhalf a million\b", "500000", text)
    text = re.sub(r"\b(a|one) (million|hundred|thousand)\b", r"1 \2", text)
    # "between four hundred and six hundred thousand": each bound separately, or text2num joins them.
    text = re.sub(
        r"\b(between|from) (.+?) (and|to) (.+)$", lambda m: f"{m[1]} {_digits(m[2])} {m[3]} {_digits(m[4])}", text
    )
    text = HALF.sub(lambda m: str(Decimal(m[1]) + Decimal("0.5")), _digits(text))
    text = re.sub(r"(\d+(?:\.\d+)?) (1000000|1000)\b", lambda m: f"{(Decimal(m[1]) * int(m[2])).normalize():f}", text)
    text = re.sub(r"(\d)\s*/\s*(\d)", r"\1 \2", text)
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def _digits(text: str) -> str:
    text = re.sub(r"\b(\w+) and a half\b", lambda m: f"{alpha2digit(m[1], 'en', threshold=0)} and a half", text)
    return str(alpha2digit(text, "en", threshold=0))


def _amount(number: str, scale: str | None) -> Decimal:
    value = Decimal(number) * SCALES.get(scale or "", 1)
    return value.quantize(Decimal("1"))


def _money(text: str, number: str, scale: str | None, *, paired_scale: str | None = None) -> Decimal | None:
    """An amount heard as money: with a scale word or a dollar sign, or at least 10,000."""
    value = _amount(number, scale or paired_scale)
    return value if (scale or paired_scale or value >= 10_000 or "$" in text) else None


def parse(transcript: str, *, cities: list[str], stages: list[str], today: date) -> Interpretation:
    """Understand `transcript`; `cities` are the organization's own (matched whole, longest first) and
    `stages` its pipeline stage names."""
    text = _normalized(transcript)
    found = Interpretation()
    intent = _intent(text)
    if intent is Intent.SEARCH_PROPERTIES:
        _property_filters(text, transcript, cities, found)
    elif intent is Intent.SEARCH_PEOPLE:
        _people_filters(text, transcript, cities, found, today)
    elif intent is Intent.SEARCH_DEALS:
        _deal_filters(text, stages, found, today)
    understood = found.property_filters or found.people_filters or found.deal_filters or found.people_search
    heard = understood or (intent is not Intent.UNKNOWN and _has_subject(text, intent))
    found.intent = intent if heard else Intent.UNKNOWN
    return found


def _has_subject(text: str, intent: Intent) -> bool:
    pattern = {Intent.SEARCH_PROPERTIES: PROPERTY_WORDS, Intent.SEARCH_PEOPLE: PEOPLE_WORDS}.get(intent, DEAL_WORDS)
    return pattern.search(text) is not None


def _intent(text: str) -> Intent:
    if re.search(r"\bdeals?\b|\bpipeline\b|\bclos(e|es|ing) (this|next)\b|\brentals?\b|\bstage\b", text) or (
        re.search(r"\blistings?\b", text) and re.search(r"\b(open|won|lost|my)\b", text)
    ):
        return Intent.SEARCH_DEALS
    if PEOPLE_WORDS.search(text) and not re.search(r"\bbed|\bbath|\bcondo|\bhouses?\b|\bhomes?\b", text):
        return Intent.SEARCH_PEOPLE
    money = (AT_MOST, AT_LEAST, AROUND, BETWEEN, ZIP_CODE)
    if PROPERTY_WORDS.search(text) or any(pattern.search(text) for pattern in money):
        return Intent.SEARCH_PROPERTIES
    if NAME_COMMAND.match(text):
        return Intent.SEARCH_PEOPLE
    return Intent.UNKNOWN


def _price_range(text: str) -> tuple[Decimal | None, Decimal | None, str | None]:
    for pattern in (BETWEEN, FROM_TO):
        if match := pattern.search(text):
            low_number, low_scale, high_number, high_scale = match.groups()
            high = _money(text, high_number, high_scale)
            low = _money(text, low_number, low_scale, paired_scale=None if low_scale else high_scale)
            if low is None and high is not None and _amount(low_number, None) * 1000 <= high:
                low = _amount(low_number, "k")  # "between four hundred and six hundred thousand"
            return low, high, f"between ${low:,} and ${high:,}" if low and high else None
    if match := AROUND.search(text):
        center = _money(text, *match.groups())
        if center is not None:
            low, high = (center * Decimal("0.9")).quantize(Decimal(1)), (center * Decimal("1.1")).quantize(Decimal(1))
            return low, high, f"around ${center:,} (±10%)"
    low = high = None
    if match := AT_LEAST.search(text):
        low = _money(text, *match.groups())
    if match := AT_MOST.search(text):
        high = _money(text, *match.groups())
    words = [f"from ${low:,}" if low else "", f"up to ${high:,}" if high else ""]
    return low, high, " ".join(word for word in words if word) or None


def _place(text: str, transcript: str, cities: list[str]) -> dict[str, str]:
    place: dict[str, str] = {}
    for city in sorted(cities, key=len, reverse=True):
        if re.search(rf"\b{re.escape(city.lower())}\b", text):
            place["city"] = city
            break
    for name, abbreviation in STATE_NAMES:
        if re.search(rf"\b{re.escape(name)}\b", text) and name != place.get("city", "").lower():
            place["state"] = abbreviation
            break
    else:
        city = re.escape(place.get("city", "\0"))
        for match in re.finditer(rf"(?:,\s*|\bin\s+|{city}\s+)([A-Za-z]{{2}})\b", transcript, re.IGNORECASE):
            abbreviation = match[1].upper()
            if abbreviation in STATE_ABBREVIATIONS and (match[1].isupper() or match[0].startswith(",")):
                place["state"] = abbreviation
    return place


def _first(text: str, choices: tuple[tuple[str, Any, str], ...]) -> tuple[Any, str] | None:
    for pattern, value, words in choices:
        if re.search(pattern, text):
            return value, words
    return None


def _property_filters(text: str, transcript: str, cities: list[str], found: Interpretation) -> None:
    filters = found.property_filters
    if kind := _first(text, PROPERTY_TYPES):
        filters["property_type"], words = kind
        found.phrases.append(words)
    if match := BEDROOMS.search(text):
        filters["bedrooms"] = int(Decimal(match[1]))
        found.phrases.append(f"at least {filters['bedrooms']} bedrooms")
    if match := BATHROOMS.search(text):
        filters["bathrooms"] = Decimal(match[1]).normalize()
        found.phrases.append(f"at least {filters['bathrooms']} bathrooms")
    low, high, price_words = _price_range(text)
    if low is not None:
        filters["min_price"] = low
    if high is not None:
        filters["max_price"] = high
    if price_words:
        found.phrases.append(price_words)
    if status := _first(text, PROPERTY_STATUSES):
        filters["status"], words = status
        found.phrases.append(words)
    if match := ZIP_CODE.search(text):
        filters["zip_code"] = match[1]
        found.phrases.append(f"in {match[1]}")
    place = _place(text, transcript, cities)
    filters.update(place)
    if place:
        found.phrases.append("in " + ", ".join(place.values()))


def _people_filters(text: str, transcript: str, cities: list[str], found: Interpretation, today: date) -> None:
    filters = found.people_filters
    if status := _first(text, PERSON_STATUSES):
        filters["status"], words = [status[0]], status[1]
        found.phrases.append(words)
    if source := _first(text, LEAD_SOURCES):
        filters["source"], words = [source[0]], source[1]
        found.phrases.append(words)
    if HOT.search(text) and PEOPLE_WORDS.search(text):
        filters["min_lead_score"] = HOT_LEAD_SCORE
        found.phrases.append(f"lead score at least {HOT_LEAD_SCORE}")
    if match := NOT_CONTACTED.search(text):
        days = int(match[1] or 1) * DAYS[match[2]]
        filters["contacted_before"] = _midnight(today - timedelta(days=days))
        found.phrases.append(f"not contacted in {days} days")
    elif match := CONTACTED_WITHIN.search(text):
        days = int(match[1] or 1) * DAYS[match[2]]
        filters["contacted_after"] = _midnight(today - timedelta(days=days))
        found.phrases.append(f"contacted in the last {days} days")
    place = _place(text, transcript, cities)
    filters.update(place)
    if place:
        found.phrases.append("in " + ", ".join(place.values()))
    if not filters and (match := NAME_COMMAND.match(re.sub(r"\s*\bplease\b", "", text))):
        name = match[1].split()
        if 1 <= len(name) <= 3 and all(NAME_WORD.match(word) for word in name):
            found.people_search = " ".join(word.capitalize() for word in name)
            found.phrases.append(f"named {found.people_search}")


def _deal_filters(text: str, stages: list[str], found: Interpretation, today: date) -> None:
    filters = found.deal_filters
    if kind := _first(text, DEAL_TYPES):
        filters["deal_type"], words = [kind[0]], kind[1]
        found.phrases.append(words)
    if status := _first(text, DEAL_STATUSES):
        filters["status"], words = [status[0]], status[1]
        found.phrases.append(words)
    low, high, price_words = _price_range(text)
    if low is not None:
        filters["min_amount"] = low
    if high is not None:
        filters["max_amount"] = high
    if price_words:
        found.phrases.append(price_words)
    if match := CLOSING.search(text):
        start, end = _period(today, this=match[1] == "this", unit=match[2])
        filters["expected_close_after"], filters["expected_close_before"] = start, end
        found.phrases.append(f"closing {match[1]} {match[2]} ({start} to {end})")
    if match := STAGE.search(text):
        heard = match[1].strip()
        for stage in stages:
            name = stage.lower()
            if name == heard or name.endswith(f" {heard}") or heard.endswith(name):
                found.stage_name = stage
                found.phrases.append(f"in the {stage} stage")
                break


def _period(today: date, *, this: bool, unit: str) -> tuple[date, date]:
    """The first and last day of this or next month or week (weeks start on Monday)."""
    if unit == "week":
        start = today - timedelta(days=today.weekday()) + timedelta(weeks=0 if this else 1)
        return start, start + timedelta(days=6)
    year, month = (today.year, today.month) if this else (today.year + today.month // 12, today.month % 12 + 1)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
