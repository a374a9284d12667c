"""To-one relations read in the same statement as their rows, when the query shows them.

A deal's person, property, stage and pipeline are each one row, found by a reference column. When a query
selects them, the deals' statement joins them in (a LEFT JOIN per relation, by the tenant key and the
organization filter, as every read is) and keeps what it found with the request's loaders (`read_ahead`): the
fields resolving them then find their rows already read (`known`), with no statement and no waiting. Left out,
the same fields load them in batches as before, so the answers are the same either way. Such a statement
reads plain columns (`Columns`), not ORM rows: the same values, through the same column types.
"""

from __future__ import annotations

import json
import uuid
from collections import namedtuple
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TypeVar

from sqlalchemy import JSON, Numeric, Select, Uuid, and_, bindparam, inspect, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from strawberry.dataloader import DataLoader

from winnerr.context import Context
from winnerr.db.copy import positional
from winnerr.db.scope import tenant_filter, tenant_join
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


def joined(source: type[Any], query: Select[Any], organization: Any, relations: Sequence[ToOne]) -> Select[Any]:
    """`query` (rows of `source`) as the columns of `source` and of each relation's row, NULL where it has none;
    each relation's row is of `organization` (a value, or a bound parameter)."""
    statement = query.with_only_columns(
        *(expression for model in (source, *(r.target for r in relations)) for expression in columns(model).expressions)
    )
    for relation in relations:
        target = relation.target
        on = and_(tenant_join(target, source, relation.reference), tenant_filter(target, organization))
        statement = statement.outerjoin(target, on)
    return statement


@dataclass(frozen=True)
class Shape:
    """Where each model's columns are in a joined row (`joined`)."""

    models: tuple[Columns, ...]
    bounds: tuple[int, ...]
    relations: tuple[ToOne, ...]

    @classmethod
    def of(cls, source: type[Any], relations: Sequence[ToOne]) -> Shape:
        models = (columns(source), *(columns(relation.target) for relation in relations))
        bounds = tuple(accumulate((len(model.expressions) for model in models), initial=0))
        return cls(models, bounds, tuple(relations))

    def row(self, values: Sequence[Any], loaders: Loaders) -> Any:
        """The source's row in `values`; the relations' rows found there are kept in `loaders.read_ahead`."""
        for index, relation in enumerate(self.relations, start=1):
            found = self.models[index].of(values[self.bounds[index] : self.bounds[index + 1]])
            if found is not None:
                loaders.read_ahead[relation.target, found[0]] = found
        return self.models[0].of(values[: self.bounds[1]])


def reader(
    ctx: Context, source: type[Any], relations: Sequence[ToOne]
) -> Callable[[Select[Any]], Awaitable[list[Any]]]:
    """What reads a query's rows of `source`, as ORM rows; when relations are read with them, as `Columns`
    tuples (`from_row` shows either alike), with the relations' rows priming the request's loaders."""
    if not relations:
        return ctx.scope.rows
    shape = Shape.of(source, relations)

    async def read(query: Select[Any]) -> list[Any]:
        result = await ctx.scope.execute(joined(source, query, ctx.scope.organization_id, relations))
        loaders = ctx.loaders
        return [shape.row(values, loaders) for values in result.tuples()]

    return read


@dataclass(frozen=True)
class ByIdStatement:
    """One row of `source` by id with its relations' rows, compiled once: its SQL, the values of its
    positional parameters but the organization's and the id's, and how each column's raw value is decoded."""

    sql: str
    parameters: tuple[str, ...]
    """Each positional parameter's name: `ORGANIZATION`, `KEY`, or one of `constants` (the LIMIT)."""
    constants: Mapping[str, Any]
    decoders: tuple[Callable[[Any], Any] | None, ...]
    shape: Shape

    def arguments(self, organization_id: uuid.UUID, key: uuid.UUID) -> list[Any]:
        given = {ORGANIZATION: organization_id, KEY: key}
        return [given[name] if name in given else self.constants[name] for name in self.parameters]

    def decode(self, record: Sequence[Any]) -> list[Any]:
        pairs = zip(record, self.decoders, strict=True)
        return [value if decode is None or value is None else decode(value) for value, decode in pairs]


ORGANIZATION = "winnerr_organization"
KEY = "winnerr_key"
_BY_ID: dict[tuple[type[Any], tuple[ToOne, ...]], ByIdStatement] = {}
_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


def by_id_statement(source: type[Any], relations: Sequence[ToOne]) -> ByIdStatement:
    """The statement reading a `source` row by id with its relations' rows, compiled on first use."""
    cache_key = (source, tuple(relations))
    if cache_key not in _BY_ID:
        organization = bindparam(ORGANIZATION, type_=Uuid(), required=False)  # given per request (`arguments`)
        key = bindparam(KEY, type_=Uuid(), required=False)
        query = select(source).where(tenant_filter(source, organization), source.id == key)
        sql, names, values = positional(joined(source, query.limit(1), organization, relations), _DIALECT)
        shape = Shape.of(source, relations)
        expressions = [expression for model in shape.models for expression in model.expressions]
        _BY_ID[cache_key] = ByIdStatement(sql, names, values, tuple(_decoder(e.type) for e in expressions), shape)
    return _BY_ID[cache_key]


def _decoder(column_type: Any) -> Callable[[Any], Any] | None:
    """What turns the read pool's raw value of a column into what the ORM's connections give: the same
    processors (enums, arrays), but JSON, which those connections decode with a codec of their own
    (`json.loads`, the dialect's default) and the read pool's leave as text."""
    if isinstance(column_type, JSON):
        return json.loads
    if isinstance(column_type, Numeric):
        return None  # asyncpg's Decimal, which the dialect keeps for a numeric column
    processor: Callable[[Any], Any] | None = column_type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)
    return processor


async def read_by_id(ctx: Context, source: type[Any], key: uuid.UUID, relations: Sequence[ToOne]) -> Any | None:
    """The organization's `source` row with this id, as its `Columns`, with its relations' rows kept in the
    loaders' `read_ahead`; None if there is none. One read-only statement on the read pool (`winnerr.db.reads`),
    as the runtime role with the organization bound for row-level security: one round trip on a direct
    connection, three through a transaction-mode pooler, against a session's four (BEGIN, the binding, the
    statement, ROLLBACK) and its building and caching of the statement each time. It runs in the scope's turn
    (`TenantScope.in_turn`), after the operation's statements before it, as the session's own would."""
    statement = by_id_statement(source, relations)
    organization_id = ctx.principal.organization_id
    arguments = statement.arguments(organization_id, key)
    record = await ctx.scope.in_turn(lambda: ctx.database.reads.fetchrow(statement.sql, arguments, organization_id))
    if record is None:
        return None
    return statement.shape.row(statement.decode(record), ctx.loaders)


def known(loaders: Loaders, relation: ToOne, key: uuid.UUID) -> Any | Awaitable[Any]:
    """The row `relation` points at by `key`: at once if the request read it ahead (`read_ahead`), else the
    relation's loader's load, to await. A field resolving through this returns a value without a coroutine when
    it can."""
    found = loaders.read_ahead.get((relation.target, key))
    return found if found is not None else relation.loader(loaders).load(key)
