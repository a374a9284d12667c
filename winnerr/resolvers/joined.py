"""To-one relations read in the same statement as their rows, when the query shows them.

A deal's person, property, stage and pipeline are each one row, found by a reference column. When a query
selects them, the deals' statement joins them in (a LEFT JOIN per relation, by the tenant key and the
organization filter, as every read is) and primes the request's DataLoaders with what it found: the fields
resolving them then find their rows already loaded (`known`), with no statement and no waiting. Left out,
the same fields load them in batches as before, so the answers are the same either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, and_
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


def joined(source: type[Any], query: Select[Row], scope: TenantScope, relations: Sequence[ToOne]) -> Select[Any]:
    """`query` (rows of `source`) with each relation's row as one more column, NULL where there is none."""
    for relation in relations:
        target = relation.target
        on = and_(tenant_join(target, source, relation.reference), scope.where(target))
        query = query.add_columns(target).outerjoin(target, on)
    return query


def reader(
    ctx: Context, source: type[Row], relations: Sequence[ToOne]
) -> Callable[[Select[Row]], Awaitable[list[Row]]]:
    """What reads a query's rows of `source`: with its relations joined in, priming the loaders, if there are any."""
    if not relations:
        return ctx.scope.rows

    async def read(query: Select[Row]) -> list[Row]:
        result = await ctx.scope.execute(joined(source, query, ctx.scope, relations))
        loaders = ctx.loaders
        rows: list[Row] = []
        for columns in result.all():
            rows.append(columns[0])
            related: tuple[Any, ...] = tuple(columns[1:])
            for relation, found in zip(relations, related, strict=True):
                if found is not None:
                    relation.loader(loaders).prime(found.id, found)
        return rows

    return read


def known(loader: DataLoader[Key, Value], key: Key) -> Value | Awaitable[Value]:
    """The loader's value for `key`, at once if it holds it already (primed, or loaded earlier in the request);
    else its load, to await. A field resolving through this returns a value without a coroutine when it can."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)
