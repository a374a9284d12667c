"""To-one relations read in the same statement as their rows, when the query shows them.

A deal's person, property, stage and pipeline are each one row, found by a reference column. When a query
selects them, the deals' statement joins them in (a LEFT JOIN per relation, by the tenant key and the
organization filter, as every read is) and primes the request's DataLoaders with what it found: the fields
resolving them then find their rows already loaded (`known`), with no statement and no waiting. Left out,
the same fields load them in batches as before, so the answers are the same either way. Such a statement
reads plain columns (`Columns`), not ORM rows: the same values, through the same column types.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TypeVar

from sqlalchemy import Select, and_, inspect
from strawberry.dataloader import DataLoader

from winnerr.context import Context
from winnerr.db.scope import TenantScope, tenant_join
from winnerr.resolvers.loaders import Loaders

Row = TypeVar("Row")
Key = TypeVar("Key")
Value = TypeVar("Value")


@dataclass(frozen=True, eq=False)
class ToOne:
    """The `target` row that `reference`, a column of the source rows, points at; `loader` is the request's
    DataLoader of `target` rows by id."""

    target: type[Any]
    reference: Any
    loader: Callable[[Loaders], DataLoader[Any, Any]]


def chosen(relations: Mapping[str, ToOne], names: frozenset[str]) -> tuple[ToOne, ...]:
    """The relations among `relations` (by field name) that `names` (the selected fields) show."""
    return tuple(relation for name, relation in relations.items() if name in names)


@dataclass(frozen=True)
class Columns:
    """A model's mapped columns, read as a named tuple with the model's attribute names: what `from_row` shows,
    as it shows the ORM's row, without the ORM's per-row cost (identity map, instance state, instrumented
    attributes), which is most of a list's database time."""

    expressions: tuple[Any, ...]
    shape: Callable[[Iterable[Any]], tuple[Any, ...]]

    def of(self, values: Sequence[Any]) -> tuple[Any, ...] | None:
        """The row in `values` (this model's columns, in order), None for the NULLs of a LEFT JOIN that found none."""
        return None if values[0] is None else self.shape(values)


_COLUMNS: dict[type[Any], Columns] = {}


def columns(model: type[Any]) -> Columns:
    """The model's columns that the ORM loads (not the deferred ones: search vectors, computed scores), its
    primary key's `id` first (NULL only where a LEFT JOIN found no row)."""
    if model not in _COLUMNS:
        _COLUMNS[model] = _columns(model)
    return _COLUMNS[model]


def _columns(model: type[Any]) -> Columns:
    loaded = [attribute for attribute in inspect(model).column_attrs if not attribute.deferred]
    attributes = sorted(loaded, key=lambda attribute: attribute.key != "id")
    shape = namedtuple(f"{model.__name__}Columns", [attribute.key for attribute in attributes])  # type: ignore[misc]
    return Columns(tuple(attribute.expression for attribute in attributes), shape._make)


def joined(source: type[Any], query: Select[Any], scope: TenantScope, relations: Sequence[ToOne]) -> Select[Any]:
    """`query` (rows of `source`) as the columns of `source` and of each relation's row, NULL where it has none."""
    statement = query.with_only_columns(
        *(expression for model in (source, *(r.target for r in relations)) for expression in columns(model).expressions)
    )
    for relation in relations:
        target = relation.target
        on = and_(tenant_join(target, source, relation.reference), scope.where(target))
        statement = statement.outerjoin(target, on)
    return statement


def reader(
    ctx: Context, source: type[Any], relations: Sequence[ToOne]
) -> Callable[[Select[Any]], Awaitable[list[Any]]]:
    """What reads a query's rows of `source`, as ORM rows; when relations are read with them, as `Columns`
    tuples (`from_row` shows either alike), with the relations' rows priming the request's loaders."""
    if not relations:
        return ctx.scope.rows
    models = [columns(source), *(columns(relation.target) for relation in relations)]
    bounds = list(accumulate((len(model.expressions) for model in models), initial=0))

    async def read(query: Select[Any]) -> list[Any]:
        result = await ctx.scope.execute(joined(source, query, ctx.scope, relations))
        loaders = ctx.loaders
        rows: list[Any] = []
        for values in result.tuples():
            rows.append(models[0].of(values[: bounds[1]]))
            for index, relation in enumerate(relations, start=1):
                found = models[index].of(values[bounds[index] : bounds[index + 1]])
                if found is not None:
                    relation.loader(loaders).prime(found[0], found)
        return rows

    return read


def known(loader: DataLoader[Key, Value], key: Key) -> Value | Awaitable[Value]:
    """The loader's value for `key`, at once if it holds it already (primed, or loaded earlier in the request);
    else its load, to await. A field resolving through this returns a value without a coroutine when it can."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)
