"""The cells of an export as SQL expressions: what PostgreSQL's COPY writes for each column.

Each column's text is what the Python export wrote before (`str()` of the value, `isoformat()` of a time in
UTC, a list's items joined with `;`, an empty text as an empty cell), with formulas neutralised following
OWASP's CSV injection guidance: a formula character (`= + - @`, tab, CR, and their fullwidth and small forms)
at the start of a cell, or right after anything a spreadsheet may split a cell at (`,` `;` tab, a quote, a line
break), gets a `'` before it. Enum labels and UUIDs cannot hold a formula character and are left as they are;
a number can only start with `-`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    true,
)
from sqlalchemy.types import ARRAY, DateTime, Enum, TypeEngine, Uuid

FORMULA_CHARACTERS = "=+-@\t\r" + "\uff1d\ufe66\uff0b\ufe62\uff0d\ufe63\uff20\ufe6b"  # ＝ ﹦ ＋ ﹢ － ﹣ ＠ ﹫
CELL_BREAKS = ",;\t\r\n\"'"
LIST_SEPARATOR = ";"


def _bracket(characters: str) -> str:
    """A PostgreSQL regular expression bracket matching any of `characters` (`\\`, `]`, `-`, `^` escaped)."""
    return "[" + "".join(f"\\{c}" if c in "\\]-^" else c for c in characters) + "]"


FORMULA_PATTERN = f"(^|(?<={_bracket(CELL_BREAKS)}))({_bracket(FORMULA_CHARACTERS)})"
"""A formula character at the start or right after a cell break (the break is looked behind, so that a break
which is itself a formula character, a tab, is neutralised too)."""

ISO_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
"""`to_char`'s format for Python's `isoformat()` of a UTC time, whose `.000000` is then left out as Python does."""

FIRST_TIME = cast(literal("0001-01-01 00:00:00+00", Text), DateTime(timezone=True))
LAST_TIME = cast(literal("9999-12-31 23:59:59.999999+00", Text), DateTime(timezone=True))


def neutralised(text: ColumnElement[Any]) -> ColumnElement[str]:
    """The text with a `'` before each formula; an empty text as NULL (an empty, unquoted cell)."""
    formula = bindparam("formula", FORMULA_PATTERN, type_=Text)
    quoted = bindparam("quoted_formula", "'\\2", type_=Text)
    return func.nullif(func.regexp_replace(text, formula, quoted, literal("g", Text)), literal("", Text))


def iso_time(time: ColumnElement[Any]) -> ColumnElement[str]:
    """Python's `isoformat()` of the time in UTC (for years 1-9999, see `exportable`)."""
    utc = func.timezone(literal("UTC", Text), time)
    return func.replace(func.to_char(utc, literal(ISO_SECONDS, Text)), literal(".000000", Text), literal("", Text))


def exportable(columns: Iterable[ColumnElement[Any]]) -> ColumnElement[bool]:
    """Whether a row's cells can be written: its times lie in years 1-9999. A time outside them has no ISO 8601
    form with four-digit years (the form spreadsheets read), nor a Python datetime: the Python export failed at
    such a row, and this one leaves the row out and fails at the end (`winnerr.export`)."""
    times = [column for column in columns if isinstance(column.type, DateTime)]
    return and_(true(), *(or_(time.is_(None), time.between(FIRST_TIME, LAST_TIME)) for time in times))


def signed(number: ColumnElement[Any]) -> ColumnElement[str]:
    """The number's text; a negative one's `-` neutralised."""
    text = cast(number, Text)
    return case((number < 0, literal("'", Text) + text), else_=text)


def cell(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The column's cell expression, chosen by its type."""
    kind: TypeEngine[Any] = column.type
    if isinstance(kind, Enum | Uuid):
        return column
    if isinstance(kind, ARRAY):
        return neutralised(func.array_to_string(column, literal(LIST_SEPARATOR, Text), literal("", Text)))
    if isinstance(kind, String):
        return neutralised(column)
    if isinstance(kind, Integer | Numeric):
        return signed(column)
    if isinstance(kind, DateTime):
        return iso_time(column)
    raise TypeError(f"No export cell for a column of type {kind!r}")
