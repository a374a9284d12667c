"""Shared aliases for resolver signatures, and the scalars that replace Strawberry's built-in ones."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeAlias

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
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

SCALAR_OVERRIDES: dict[object, Any] = {Decimal: StrictDecimal}
