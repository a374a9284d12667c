"""Voice search: the labelled utterances (intent and filters, per intent), and results under the caller's
organization and role."""

from __future__ import annotations

import calendar
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.factories import Tenant
from tests.graphql_documents import PIPELINES, create_deal, create_person, create_property
from winnerr.db.enums import Role

LABELLED = Path(__file__).parent / "data" / "voice_search.jsonl"
MIN_ACCURACY = 0.9
BATCH = 20
FIELDS = """intent interpretedAs
  propertyFilters { propertyType minPrice maxPrice bedrooms bathrooms city state zipCode status }
  peopleFilters { search status source minLeadScore contactedBefore contactedAfter city state }
  dealFilters { status dealType minAmount maxAmount stageId expectedCloseAfter expectedCloseBefore }"""
SEARCH = f"""query($transcript: String!) {{ voiceSearch(transcript: $transcript) {{ {FIELDS}
  properties {{ items {{ id city }} pagination {{ total }} }}
  people {{ items {{ id firstName }} pagination {{ total }} }}
  deals {{ items {{ id title }} pagination {{ total }} }} }} }}"""


def relative_dates(today: date) -> dict[str, str]:
    """The date words of the labelled set, for today."""
    last_day = calendar.monthrange(today.year, today.month)[1]
    next_month = date(today.year, today.month, last_day) + timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    dates = {
        "this_month_start": date(today.year, today.month, 1),
        "this_month_end": date(today.year, today.month, last_day),
        "next_month_start": next_month,
        "next_month_end": date(next_month.year, next_month.month, calendar.monthrange(*next_month.timetuple()[:2])[1]),
        "this_week_start": monday,
        "this_week_end": monday + timedelta(days=6),
    }
    found = {name: day.isoformat() for name, day in dates.items()}
    for days in (7, 10, 14, 21, 30):
        day = today - timedelta(days=days)
        found[f"today-{days}"] = datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()
    return found


def expected_filters(row: dict[str, Any], dates: dict[str, str], stages: dict[str, str]) -> dict[str, Any]:
    wanted = {name: dates.get(value, value) if isinstance(value, str) else value
              for name, value in row["filters"].items()}
    if "stageId" in wanted:
        wanted["stageId"] = stages[wanted["stageId"]]
    return wanted


def heard_filters(answer: dict[str, Any]) -> dict[str, Any]:
    """The filters given, from whichever group holds them (the others must be empty)."""
    given: dict[str, Any] = {}
    for group in ("propertyFilters", "peopleFilters", "dealFilters"):
        given |= {name: value for name, value in answer[group].items() if value is not None}
    return given


async def answers_of(tenant: Tenant, transcripts: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(transcripts), BATCH):
        batch = transcripts[start : start + BATCH]
        variables = ", ".join(f"$t{n}: String!" for n in range(len(batch)))
        fields = " ".join(f"v{n}: voiceSearch(transcript: $t{n}) {{ {FIELDS} }}" for n in range(len(batch)))
        data = await tenant.gql(f"query({variables}) {{ {fields} }}", {f"t{n}": text for n, text in enumerate(batch)})
        found.extend(data[f"v{n}"] for n in range(len(batch)))
    return found


async def test_labelled_utterances_reach_the_accuracy_threshold(tenant: Tenant) -> None:
    for city in ("Austin", "Denver", "Portland", "Raleigh"):
        await create_property(tenant, city=city)
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines()]
    assert len(rows) >= 120
    pipelines = (await tenant.gql(PIPELINES))["pipelines"]
    stages = {stage["name"]: stage["id"] for stage in pipelines[0]["stages"]}
    dates = relative_dates(datetime.now(UTC).date())
    answers = await answers_of(tenant.as_role(Role.VIEWER), [row["transcript"] for row in rows])
    right, total = Counter[str](), Counter[str]()
    misses = []
    for row, answer in zip(rows, answers, strict=True):
        total[row["intent"]] += 1
        heard = (answer["intent"], heard_filters(answer))
        if heard == (row["intent"], expected_filters(row, dates, stages)):
            right[row["intent"]] += 1
        else:
            misses.append(f"{row['transcript']!r}: heard {heard}")
    accuracy = sum(right.values()) / len(rows)
    report = "\n".join(f"{intent:>18}: {right[intent]}/{total[intent]}" for intent in sorted(total))
    print(f"\nvoice search exact-match accuracy {accuracy:.1%} on {len(rows)}\n{report}\nmisses:\n" + "\n".join(misses))
    assert accuracy >= MIN_ACCURACY
    assert all(right[intent] / total[intent] >= 0.85 for intent in total), report


async def test_results_are_the_callers_organizations_and_need_read(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = await create_property(tenant, city="Austin", bedrooms=3, price="400000.00")
    await create_property(tenant, city="Austin", bedrooms=1, price="400000.00")
    await create_property(other_tenant, city="Austin", bedrooms=4, price="300000.00")
    await create_person(tenant, firstName="Jennifer", lastName="Lopez")
    await create_person(other_tenant, firstName="Jennifer", lastName="Lopez")
    jennifer = await create_person(tenant, firstName="Jennifer", lastName="Lopez", email="j@example.com")
    await create_deal(other_tenant, (await create_person(other_tenant))["id"], dealType="RENTAL")
    rental = await create_deal(tenant, jennifer["id"], dealType="RENTAL", title="Rental")

    viewer = tenant.as_role(Role.VIEWER)
    homes = (await viewer.gql(SEARCH, {"transcript": "three bedroom homes in Austin under 500k"}))["voiceSearch"]
    assert homes["intent"] == "SEARCH_PROPERTIES"
    assert [item["id"] for item in homes["properties"]["items"]] == [mine["id"]]
    assert homes["people"] is None
    assert homes["deals"] is None
    people = (await viewer.gql(SEARCH, {"transcript": "find Jennifer Lopez"}))["voiceSearch"]
    assert people["peopleFilters"]["search"] == "Jennifer Lopez"
    assert people["people"]["pagination"]["total"] == 2
    rentals = (await viewer.gql(SEARCH, {"transcript": "rentals"}))["voiceSearch"]
    assert [item["id"] for item in rentals["deals"]["items"]] == [rental["id"]]
    theirs = (await other_tenant.gql(SEARCH, {"transcript": "three bedroom homes in Austin under 500k"}))
    assert theirs["voiceSearch"]["properties"]["pagination"]["total"] == 1


async def test_nonsense_is_unknown_and_long_transcripts_are_refused(tenant: Tenant) -> None:
    answer = (await tenant.gql(SEARCH, {"transcript": "purple monkey dishwasher"}))["voiceSearch"]
    assert answer["intent"] == "UNKNOWN"
    assert heard_filters(answer) == {}
    assert (answer["properties"], answer["people"], answer["deals"]) == (None, None, None)
    error = await tenant.gql_error(SEARCH, {"transcript": "homes " * 200})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
