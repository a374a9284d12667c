"""Descriptions for what the schema shares: the page arguments, and enums whose values are described here
because the enums themselves belong to the domain (`winnerr.db.enums`, the resolvers) and know nothing of GraphQL."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Annotated, TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])

PageNumber = Annotated[int | None, strawberry.argument(description="Which page, counted from 1 (default 1).")]
PageLimit = Annotated[int | None, strawberry.argument(description="Items per page, 1–100 (default 20).")]


def described_enum(enum: E, description: str, values: Mapping[str, str], name: str | None = None) -> E:
    """Register `enum` with Strawberry, with its description and one for each of its values."""
    strawberry.enum(enum, name=name, description=description)
    return describe_values(enum, values)


def describe_values(enum: E, values: Mapping[str, str]) -> E:
    """Describe each value of an enum registered with Strawberry; every value, and only those, must be given."""
    if wrong := set(enum.__members__) ^ set(values):
        raise TypeError(f"{enum.__name__}: describe exactly its values; wrong or missing: {sorted(wrong)}")
    for value in enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[value.name]
    return enum
