"""What the schema fuzzer (tests/test_fuzz.py) sends and what it demands of every answer.

Arguments are random, but the ids among them are mostly real: each organization's own seeded ids, the other
organization's ids (which must behave as if they did not exist) and a few unknown or malformed ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import graphql
from hypothesis import strategies as st

ERROR_CODES = {
    "UNAUTHENTICATED",
    "PERMISSION_DENIED",
    "VALIDATION_ERROR",
    "NOT_FOUND",
    "DUPLICATE_RECORD",
    "CONFLICT",
    "RATE_LIMITED",
    "QUERY_TOO_COMPLEX",
    "INTERNAL_ERROR",
    "PROVIDER_ERROR",  # an outbound provider refused or did not answer (the schema's sendSms says so)
}
"""The contract's codes (section 3), and the provider failure the schema documents."""

LEAKS = re.compile(
    r"Traceback|File \"|sqlalchemy|asyncpg|psycopg|postgres|IntegrityError|DataError|ProgrammingError"
    r"|violates|constraint|relation \"|syntax error at|\bSELECT\b|\bINSERT INTO\b|\bWHERE\b|strawberry\.|winnerr\.",
    re.IGNORECASE,
)
"""Text that only a driver, the database or a stack trace writes."""

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def literal(value: Any) -> graphql.ValueNode:
    """A JSON value written as a GraphQL literal."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(literal(item) for item in value))
    return graphql.ObjectValueNode(
        fields=tuple(
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=literal(item))
            for key, item in value.items()
        )
    )


def strings_of(*strategies: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return st.one_of(*strategies).map(literal)


_texts = st.text(max_size=30)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_texts, children, max_size=4),
    max_leaves=12,
)


def scalar_strategies(ids: Iterable[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Value strategies for the scalars: mostly well-formed and in range (so that requests reach the resolvers
    instead of stopping at the first out-of-range page or limit), sometimes not."""
    known = sorted(ids)
    return {
        "Int": st.one_of(st.integers(0, 120), st.integers(-(2**31), 2**31 - 1)).map(literal),
        "String": strings_of(st.text(st.characters(codec="ascii"), max_size=40), _texts),
        "ID": strings_of(st.sampled_from(known), st.uuids().map(str), _texts),
        "DateTime": strings_of(st.datetimes(timezones=st.just(None) | st.timezones()).map(str), _texts),
        "Date": strings_of(st.dates().map(str), _texts),
        "Decimal": strings_of(
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
            st.decimals(min_value=Decimal(-10) ** 20, max_value=Decimal(10) ** 20).map(str),
            _texts,
        ),
        "JSON": _json.map(literal),
    }


ACCEPTS = ("application/json", "application/graphql-response+json")
UNAUTHORIZED = {"errors": [{"message": "Unauthorized", "extensions": {"code": "UNAUTHENTICATED"}}]}
"""The contract's 401: what a member whom a fuzzed removeMember removed gets from then on."""


def check_answer(accept: str, status: int, text: str, document: str, foreign_ids: set[str]) -> list[dict[str, Any]]:
    """Assert the answer to one fuzzed request keeps the contract; return its errors. With `application/json`
    every well-formed request answers 200; with `application/graphql-response+json`, one without a `data` entry (a
    document refused before execution) is a 4xx."""
    assert not (foreign := _foreign_ids(text, document, foreign_ids)), f"another organization's ids {foreign}: {text}"
    body = json.loads(text)
    if status == 401:
        assert body == UNAUTHORIZED, text
        return []
    assert isinstance(body, dict), text
    assert set(body) <= {"data", "errors", "extensions"}, text
    assert "data" in body or body.get("errors"), text
    if accept == "application/json" or "data" in body:
        assert status == 200, (accept, status, text)
    else:
        assert 400 <= status < 500, (accept, status, text)
    errors: list[dict[str, Any]] = body.get("errors", [])
    for error in errors:
        _check_error(error)
    return errors


def _foreign_ids(text: str, document: str, foreign_ids: set[str]) -> set[str]:
    """The other organization's ids in an answer, except those the request itself named (an echo is no leak)."""
    asked = {match.lower() for match in UUID.findall(document)}
    return {match.lower() for match in UUID.findall(text)} & foreign_ids - asked


def _check_error(error: dict[str, Any]) -> None:
    assert isinstance(error.get("message"), str), error
    code = error.get("extensions", {}).get("code")
    assert code in ERROR_CODES, error
    assert code != "INTERNAL_ERROR", f"a client's request answered INTERNAL_ERROR: {error}"
    assert not (leak := LEAKS.search(json.dumps(error))), f"{leak.group()!r} in {error}"
    if code == "VALIDATION_ERROR" and "issues" in error["extensions"]:
        for issue in error["extensions"]["issues"]:
            assert isinstance(issue["message"], str), error
            assert isinstance(issue["path"], list), error
