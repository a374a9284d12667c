"""Shared aliases for resolver signatures, and the scalars that replace Strawberry's built-in ones."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeAlias

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from winnerr.context import Context

Info: TypeAlias = strawberry.Info[Context, None]

DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def parse_decimal(value: object) -> Decimal:
    """A Decimal written plainly: ASCII digits with an optional sign and fraction, as a string or a JSON
    number. Python's `Decimal()` also takes "1_000", fullwidth or other Unicode digits, spaces, exponents,
    "NaN" and "Infinity": an amount means what it shows, so those are refused."""
    text = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if not isinstance(text, str) or DECIMAL_TEXT.fullmatch(text) is None:
        raise StrawberryInputCoercionError(
            f"Value cannot represent a Decimal: {value!r}. Expected digits 0-9 with an optional sign and "
            "fraction, like \"1250.50\"."
        )
    return Decimal(text)


StrictDecimal: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description="Decimal (fixed-point), written as a string of digits like \"1250.50\"",
    serialize=str,
    parse_value=parse_decimal,
)



def parse_datetime(value: object) -> datetime:
    """An ISO 8601 date and time, as Strawberry reads it; one without an offset is taken as UTC, so that every
    time the resolvers see is aware (comparing a naive time with an aware one raises)."""
    parse = DateTimeDefinition.parse_value
    assert parse is not None
    parsed: datetime = parse(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


AwareDateTime: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="Date and time in ISO 8601, like \"2026-05-01T14:30:00Z\"; one without an offset is read as UTC",
    serialize=datetime.isoformat,
    parse_value=parse_datetime,
)

SCALAR_OVERRIDES: dict[object, Any] = {Decimal: StrictDecimal, datetime: AwareDateTime}
