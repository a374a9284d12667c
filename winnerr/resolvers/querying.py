"""Query building shared by the list resolvers: sorting, optional filters, ranges."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select


class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


def order(query: Select[Any], column: Any, direction: SortDirection, tie_breaker: Any | None) -> Select[Any]:
    """Sort by `column` (nulls last), then by `tie_breaker` so that pages never overlap.

    NULLS LAST is spelled out only for nullable columns: on a NOT NULL one it changes nothing, but
    `DESC NULLS LAST` keeps a plain b-tree index (whose DESC order is NULLS FIRST) from giving the order."""
    key = column.asc() if direction is SortDirection.ASC else column.desc()
    if getattr(getattr(column, "expression", column), "nullable", True):
        key = key.nulls_last()
    query = query.order_by(key)
    return query if tie_breaker is None else query.order_by(tie_breaker)


def where_given(query: Select[Any], *conditions: Any) -> Select[Any]:
    """Apply the conditions that were given.

    Callers write `value and column == value`: a filter that was left out yields a plain falsy value
    instead of SQL, and is skipped.
    """
    return query.where(*(c for c in conditions if isinstance(c, ColumnElement)))


def check_range(low: Any, high: Any, low_name: str, high_name: str) -> None:
    """Refuse a range whose minimum is above its maximum (called from pydantic model validators)."""
    if low is not None and high is not None and low > high:
        raise ValueError(f"{low_name} must not be greater than {high_name}")
