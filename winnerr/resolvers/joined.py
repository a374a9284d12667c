"""To-one relations read in the same statement as their rows, when the query shows them.

A deal's person, property, stage and pipeline are each one row, found by a reference column. When a query
selects them, the deals' statement joins them in (a LEFT JOIN per relation, by the tenant key and the
organization filter, as every read is) and keeps what it found with the request's loaders (`read_ahead`): the
fields resolving them then find their rows already read (`known`), with no statement and no waiting. Left out,
the same fields load them in batches as before, so the answers are the same either way. Such a statement
reads plain columns (`Columns`), not ORM rows: the same values, through the same column types.

A row by id (`read_by_id`) and a list's page and count (`reader`, for `paginate`) are each one read-only
statement on the read pool (`winnerr.db.reads`), compiled once per shape, rather than a session's transaction
(BEGIN, the binding, the statement, ROLLBACK) with its ORM loading; but once the unit of work has written,
its reads run in its transaction, which alone sees what it wrote.
"""

from __future__ import annotations

import json
import uuid
from collections import namedtuple
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from typing import Any

from sqlalchemy import ARRAY, JSON, Enum, Numeric, Select, Uuid, and_, bindparam, inspect, select
from strawberry.dataloader import DataLoader

from winnerr.context import Context
from winnerr.db.copy import positional
from winnerr.db.prepared import DIALECT, prepare
from winnerr.db.scope import counting, tenant_filter, tenant_join
from winnerr.resolvers.loaders import Loaders
from winnerr.resolvers.pagination import Reads


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
    # `tuple.__new__` itself: `_make` is the same call, wrapped in Python to check the length (sliced right here)
    return Columns(tuple(attribute.expression for attribute in attributes), partial(tuple.__new__, shape))


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
    """Where each model's columns are in a row of `source` joined with `relations` (`joined`)."""

    source: type[Any]
    models: tuple[Columns, ...]
    bounds: tuple[int, ...]
    relations: tuple[ToOne, ...]

    @classmethod
    def of(cls, source: type[Any], relations: Sequence[ToOne]) -> Shape:
        models = (columns(source), *(columns(relation.target) for relation in relations))
        bounds = tuple(accumulate((len(model.expressions) for model in models), initial=0))
        return cls(source, models, bounds, tuple(relations))

    @property
    def kind(self) -> tuple[Any, ...]:
        """What tells the statements of this shape (`joined`) from others built from the same query."""
        return (joined, self.source, self.relations)

    def row(self, values: Sequence[Any], loaders: Loaders) -> Any:
        """The source's row in `values`; the relations' rows found there are kept in `loaders.read_ahead`."""
        for index, relation in enumerate(self.relations, start=1):
            found = self.models[index].of(values[self.bounds[index] : self.bounds[index + 1]])
            if found is not None:
                loaders.read_ahead[relation.target, found[0]] = found
        return self.models[0].of(values[: self.bounds[1]])


def reader(ctx: Context, source: type[Any], relations: Sequence[ToOne] = ()) -> Reads:
    """What reads a query's rows of `source` as `Columns` (with the rows of `relations` priming the request's
    loaders) and counts them: on the read pool (`PooledReads`), unless the unit of work has written, whose
    statements must see what it wrote: then on its session (`SessionReads`)."""
    if ctx.scope.wrote:
        return SessionReads(ctx, Shape.of(source, relations))
    return PooledReads(ctx, decoding(source, relations))


@dataclass(frozen=True)
class SessionReads:
    """A query's rows joined with their relations' (`joined`), and their count, read on the unit of work's
    session, in its transaction."""

    ctx: Context
    shape: Shape

    async def rows(self, query: Select[Any]) -> list[Any]:
        scope = self.ctx.scope
        result = await scope.execute(joined(self.shape.source, query, scope.organization_id, self.shape.relations))
        loaders = self.ctx.loaders
        return [self.shape.row(values, loaders) for values in result.tuples()]

    async def count(self, query: Select[Any]) -> int:
        return await self.ctx.scope.count(query)


@dataclass(frozen=True)
class PooledReads:
    """A query's rows joined with their relations' (`joined`), and their count, each one read-only statement on
    the read pool, compiled once per shape of query (`winnerr.db.prepared`): as `read_by_id` reads a row."""

    ctx: Context
    decoding: Decoding

    async def rows(self, query: Select[Any]) -> list[Any]:
        shape = self.decoding.shape
        build = partial(joined, shape.source, organization=_ORGANIZATION, relations=shape.relations)
        organization_id = self.ctx.principal.organization_id
        sql, arguments = prepare(shape.kind, query, build, {ORGANIZATION: organization_id})
        reads = self.ctx.database.reads
        records = await self.ctx.scope.in_turn(lambda: reads.fetch(sql, arguments, organization_id))
        loaders = self.ctx.loaders
        return [self.decoding.row(record, loaders) for record in records]

    async def count(self, query: Select[Any]) -> int:
        sql, arguments = prepare(counting, query, counting, {})
        reads, organization_id = self.ctx.database.reads, self.ctx.principal.organization_id
        record = await self.ctx.scope.in_turn(lambda: reads.fetchrow(sql, arguments, organization_id))
        return int(record[0])


@dataclass(frozen=True)
class Decoding:
    """A joined row's `Shape`, and the columns whose raw values from the read pool are decoded (`_decoder`)."""

    shape: Shape
    decoders: tuple[tuple[int, Callable[[Any], Any]], ...]

    def values(self, record: Sequence[Any]) -> list[Any]:
        values = list(record)
        for index, decode in self.decoders:
            value = values[index]
            if value is not None:
                values[index] = decode(value)
        return values

    def row(self, record: Sequence[Any], loaders: Loaders) -> Any:
        """The source's row in `record`, the relations' rows kept in `loaders.read_ahead` (`Shape.row`)."""
        return self.shape.row(self.values(record), loaders)


_DECODINGS: dict[tuple[type[Any], tuple[ToOne, ...]], Decoding] = {}


def decoding(source: type[Any], relations: Sequence[ToOne]) -> Decoding:
    """How the read pool's rows of `source` joined with `relations` are read, worked out on first use."""
    cache_key = (source, tuple(relations))
    if cache_key not in _DECODINGS:
        shape = Shape.of(source, relations)
        expressions = [expression for model in shape.models for expression in model.expressions]
        decoders = ((index, _decoder(expression.type)) for index, expression in enumerate(expressions))
        _DECODINGS[cache_key] = Decoding(shape, tuple((index, d) for index, d in decoders if d is not None))
    return _DECODINGS[cache_key]


@dataclass(frozen=True)
class ByIdStatement:
    """One row of `source` by id with its relations' rows, compiled once: its SQL, the values of its
    positional parameters but the organization's and the id's, and how its raw values are decoded."""

    sql: str
    parameters: tuple[str, ...]
    """Each positional parameter's name: `ORGANIZATION`, `KEY`, or one of `constants` (the LIMIT)."""
    constants: Mapping[str, Any]
    decoding: Decoding

    def arguments(self, organization_id: uuid.UUID, key: uuid.UUID) -> list[Any]:
        given = {ORGANIZATION: organization_id, KEY: key}
        return [given[name] if name in given else self.constants[name] for name in self.parameters]


ORGANIZATION = "winnerr_organization"
KEY = "winnerr_key"
_ORGANIZATION = bindparam(ORGANIZATION, type_=Uuid(), required=False)
"""The organization of a statement compiled once, given per request."""
_BY_ID: dict[tuple[type[Any], tuple[ToOne, ...]], ByIdStatement] = {}


def by_id_statement(source: type[Any], relations: Sequence[ToOne]) -> ByIdStatement:
    """The statement reading a `source` row by id with its relations' rows, compiled on first use."""
    cache_key = (source, tuple(relations))
    if cache_key not in _BY_ID:
        key = bindparam(KEY, type_=Uuid(), required=False)
        query = select(source).where(tenant_filter(source, _ORGANIZATION), source.id == key)
        sql, names, values = positional(joined(source, query.limit(1), _ORGANIZATION, relations), DIALECT)
        _BY_ID[cache_key] = ByIdStatement(sql, names, values, decoding(source, relations))
    return _BY_ID[cache_key]


def _decoder(column_type: Any) -> Callable[[Any], Any] | None:
    """What turns the read pool's raw value of a column into what the ORM's connections give: the same
    processors (enums, arrays), but JSON, which those connections decode with a codec of their own
    (`json.loads`, the dialect's default) and the read pool's leave as text. An enum's processor is asked once
    per label, and a list of plain values kept as asyncpg reads it (the processor would copy it)."""
    if isinstance(column_type, JSON):
        return json.loads
    if isinstance(column_type, Numeric):
        return None  # asyncpg's Decimal, which the dialect keeps for a numeric column
    if isinstance(column_type, ARRAY) and not column_type.as_tuple and _processor(column_type.item_type) is None:
        return None
    processor = _processor(column_type)
    if isinstance(column_type, Enum) and processor is not None:
        return {label: processor(label) for label in column_type.enums}.__getitem__
    return processor


def _processor(column_type: Any) -> Callable[[Any], Any] | None:
    processor: Callable[[Any], Any] | None = column_type.dialect_impl(DIALECT).result_processor(DIALECT, None)
    return processor


async def read_by_id(ctx: Context, source: type[Any], key: uuid.UUID, relations: Sequence[ToOne]) -> Any | None:
    """The organization's `source` row with this id, as its `Columns`, with its relations' rows kept in the
    loaders' `read_ahead`; None if there is none. One read-only statement on the read pool (`winnerr.db.reads`),
    as the runtime role with the organization bound for row-level security: one round trip on a direct
    connection, three through a transaction-mode pooler, against a session's four (BEGIN, the binding, the
    statement, ROLLBACK) and its building and caching of the statement each time. It runs in the scope's turn
    (`TenantScope.in_turn`), after the operation's statements before it, as the session's own would; once the
    unit of work has written, in its transaction instead."""
    scope = ctx.scope
    if scope.wrote:
        query = scope.select(source).where(source.id == key).limit(1)
        found = await SessionReads(ctx, Shape.of(source, relations)).rows(query)
        return found[0] if found else None
    statement = by_id_statement(source, relations)
    organization_id = ctx.principal.organization_id
    arguments = statement.arguments(organization_id, key)
    reads = ctx.database.reads
    record = await scope.in_turn(lambda: reads.fetchrow(statement.sql, arguments, organization_id))
    if record is None:
        return None
    return statement.decoding.row(record, ctx.loaders)


def known(loaders: Loaders, relation: ToOne, key: uuid.UUID) -> Any | Awaitable[Any]:
    """The row `relation` points at by `key`: at once if the request read it ahead (`read_ahead`), else the
    relation's loader's load, to await. A field resolving through this returns a value without a coroutine when
    it can."""
    found = loaders.read_ahead.get((relation.target, key))
    return found if found is not None else relation.loader(loaders).load(key)
