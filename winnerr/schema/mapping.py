"""Which model a GraphQL type shows, and which column each plain field is.

`@mapped(Model)` on a Strawberry type declares it; every plain (non-resolver) field, private ones included,
must be a column of the model with the same Python name, and it is checked when the module is imported.
The mapping is readable by code (`columns_of`), so a compiler of read queries to SQL can use it.
"""

from __future__ import annotations

import dataclasses
import inspect as python_inspect
import keyword
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import inspect

T = TypeVar("T")

MODEL_ATTRIBUTE = "__winnerr_model__"
COLUMNS_ATTRIBUTE = "__winnerr_columns__"
BUILDER_ATTRIBUTE = "__winnerr_from_row__"


def mapped(model: type[Any]) -> Callable[[type[T]], type[T]]:
    def declare(cls: type[T]) -> type[T]:
        columns = set(inspect(model).column_attrs.keys())
        fields = tuple(field.name for field in dataclasses.fields(cls) if field.init)  # type: ignore[arg-type]
        unknown = set(fields) - columns
        if unknown:
            raise TypeError(f"{cls.__name__} fields {sorted(unknown)} are not columns of {model.__name__}")
        setattr(cls, MODEL_ATTRIBUTE, model)
        setattr(cls, COLUMNS_ATTRIBUTE, fields)
        setattr(cls, BUILDER_ATTRIBUTE, _builder(cls, fields))
        return cls

    return declare


def model_of(cls: type[Any]) -> type[Any]:
    model: type[Any] = getattr(cls, MODEL_ATTRIBUTE)
    return model


def columns_of(cls: type[Any]) -> tuple[str, ...]:
    """The Python names of the fields that are columns (equal to the model's attribute names)."""
    columns: tuple[str, ...] = getattr(cls, COLUMNS_ATTRIBUTE)
    return columns


def from_row(cls: type[T], row: Any) -> T:
    """The GraphQL object showing `row` (an ORM row, or any object with the same attributes)."""
    build: Callable[[Any], T] = getattr(cls, BUILDER_ATTRIBUTE)
    return build(row)


def _builder(cls: type[T], names: tuple[str, ...]) -> Callable[[Any], T]:
    """`lambda row: cls(id=row.id, title=row.title, …)` for the column fields `names`, written out as the
    dataclass writes its own `__init__`: a list of 100 deals with their people and properties makes some 300
    objects, and one call with its keywords spelled out costs a third of reading the values into a dict to
    unpack (`names` are the dataclass's field names, checked to be identifiers)."""
    if not all(name.isidentifier() and not keyword.iskeyword(name) for name in names):
        raise TypeError(f"{cls.__name__} has a field whose name is not an identifier: {names}")
    namespace: dict[str, Any] = {"cls": cls}
    arguments = ", ".join(f"{name}=row.{name}" for name in names)
    exec(f"def from_row(row):\n    return cls({arguments})\n", namespace)  # noqa: S102  # names checked above
    built: Callable[[Any], T] = namespace["from_row"]
    return built


def key_of(value: object) -> uuid.UUID:
    """The UUID behind an `id` field: rows hold UUIDs, which GraphQL shows as ID strings."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def from_rows(cls: type[T], rows: Iterable[Any]) -> list[T]:
    return [from_row(cls, row) for row in rows]


def shown(cls: type[T], row: Any | Awaitable[Any]) -> T | Awaitable[T]:
    """The GraphQL object showing `row`, or, for a row still to be awaited (a DataLoader's), an awaitable of it."""
    if python_inspect.isawaitable(row):
        return _shown_when_loaded(cls, row)
    return from_row(cls, row)


def shown_or_none(cls: type[T], row: Any | Awaitable[Any]) -> T | Awaitable[T | None] | None:
    """As `shown`, with None for no row."""
    if python_inspect.isawaitable(row):
        return _shown_or_none_when_loaded(cls, row)
    return None if row is None else from_row(cls, row)


async def _shown_when_loaded(cls: type[T], row: Awaitable[Any]) -> T:
    return from_row(cls, await row)


async def _shown_or_none_when_loaded(cls: type[T], row: Awaitable[Any]) -> T | None:
    found = await row
    return None if found is None else from_row(cls, found)
