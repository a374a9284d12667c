"""Sentiment: the labelled set of client messages, the edge cases, and every communication scored when stored."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.cli import graphql, log_in, succeeded, winnerr_async
from tests.factories import Tenant
from tests.graphql_documents import create_person
from winnerr.db.enums import Role

LABELS = ("POSITIVE", "NEUTRAL", "NEGATIVE")
LABELLED = Path(__file__).parent / "data" / "sentiment.csv"
MIN_ACCURACY = 0.85
BATCH = 25
SENTIMENT = "query($text: String!) { sentiment(text: $text) { score label } }"
LOG = """mutation($input: LogCommunicationInput!) {
  logCommunication(input: $input) { id sentiment { score label } }
}"""
READ_BACK = "query($id: ID!) { communications(personId: $id) { items { body sentiment { score label } } } }"


def labelled_messages() -> list[tuple[str, str]]:
    with LABELLED.open(newline="") as rows:
        return [(row["text"], row["label"]) for row in csv.DictReader(rows)]


async def labels_of(tenant: Tenant, texts: list[str]) -> list[str]:
    """Each text's label, asked in batches of aliased `sentiment` fields."""
    found: list[str] = []
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        variables = ", ".join(f"$t{n}: String!" for n in range(len(batch)))
        fields = " ".join(f"s{n}: sentiment(text: $t{n}) {{ label }}" for n in range(len(batch)))
        data = await tenant.gql(f"query({variables}) {{ {fields} }}", {f"t{n}": text for n, text in enumerate(batch)})
        found.extend(data[f"s{n}"]["label"] for n in range(len(batch)))
    return found


def confusion_report(pairs: list[tuple[str, str]]) -> str:
    matrix = Counter(pairs)
    lines = ["expected \\ got  " + "  ".join(f"{label:>8}" for label in LABELS)]
    for expected in LABELS:
        row = "  ".join(f"{matrix[expected, got]:>8}" for got in LABELS)
        total = sum(matrix[expected, got] for got in LABELS)
        lines.append(f"{expected:>14}  {row}   accuracy {matrix[expected, expected] / total:.1%} of {total}")
    return "\n".join(lines)


async def test_labelled_client_messages_reach_the_accuracy_threshold(tenant: Tenant) -> None:
    messages = labelled_messages()
    assert len(messages) >= 150
    got = await labels_of(tenant.as_role(Role.VIEWER), [text for text, _ in messages])
    pairs = [(expected, label) for (_, expected), label in zip(messages, got, strict=True)]
    accuracy = sum(expected == label for expected, label in pairs) / len(pairs)
    print(f"\nsentiment accuracy {accuracy:.1%} on {len(pairs)} messages\n{confusion_report(pairs)}")
    assert accuracy >= MIN_ACCURACY
    for label in LABELS:
        of_label = [(expected, got) for expected, got in pairs if expected == label]
        assert sum(expected == got for expected, got in of_label) / len(of_label) >= 0.8, label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("We're under contract!", "POSITIVE"),
        ("The offer was rejected", "NEGATIVE"),
        ("We are NOT under contract", "NEGATIVE"),
        ("Can't wait to see it", "POSITIVE"),
        ("The appraisal came in low", "NEGATIVE"),
        ("Great. Another delay from the lender.", "NEGATIVE"),
    ],
)
async def test_real_estate_phrases_negation_and_sarcasm(tenant: Tenant, text: str, label: str) -> None:
    assert (await tenant.gql(SENTIMENT, {"text": text}))["sentiment"]["label"] == label


@pytest.mark.parametrize("text", ["", "   \n\t", "😀🏠❤️", "La casa es muy bonita y el precio es excelente", "家很漂亮"])
async def test_empty_emoji_and_foreign_text_is_neutral_zero(tenant: Tenant, text: str) -> None:
    assert (await tenant.gql(SENTIMENT, {"text": text}))["sentiment"] == {"score": 0.0, "label": "NEUTRAL"}


async def test_text_over_20000_characters_is_a_validation_error(tenant: Tenant) -> None:
    assert (await tenant.gql(SENTIMENT, {"text": "good " * 4000}))["sentiment"]["label"] == "POSITIVE"
    error = await tenant.gql_error(SENTIMENT, {"text": "good " * 4000 + "x"})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_a_logged_communication_stores_its_sentiment(tenant: Tenant) -> None:
    person = await create_person(tenant)
    entry = {"personId": person["id"], "channel": "SMS", "direction": "INBOUND"}
    logged = await tenant.gql(LOG, {"input": {**entry, "body": "The inspection found mold in the basement"}})
    assert logged["logCommunication"]["sentiment"]["label"] == "NEGATIVE"
    assert logged["logCommunication"]["sentiment"]["score"] < 0
    await tenant.gql(LOG, {"input": {**entry, "subject": "Re: offer", "body": "We're under contract!"}})
    await tenant.gql(LOG, {"input": {**entry, "channel": "CALL"}})
    items = (await tenant.gql(READ_BACK, {"id": person["id"]}))["communications"]["items"]
    assert {item["body"]: item["sentiment"]["label"] for item in items} == {
        "The inspection found mold in the basement": "NEGATIVE",
        "We're under contract!": "POSITIVE",
        None: "NEUTRAL",
    }


DEMO_MESSAGES = "{ communications(limit: 100) { items { subject body sentiment { score label } } } }"


async def test_the_demo_data_messages_have_their_sentiment(cli_env: dict[str, str], client: httpx.AsyncClient) -> None:
    succeeded(await winnerr_async(cli_env, "seed-demo"))
    token = await log_in(client, "owner@demo.example.com", "winnerr-demo")
    items = (await graphql(client, token, DEMO_MESSAGES))["communications"]["items"]
    assert items
    for item in items:  # an e-mail's subject and body are read together
        text = " ".join(part for part in (item["subject"], item["body"]) if part)
        expected = await graphql(client, token, f"{{ sentiment(text: {json.dumps(text)}) {{ score label }} }}")
        assert item["sentiment"] == expected["sentiment"], text
    assert {item["sentiment"]["label"] for item in items} == set(LABELS)
