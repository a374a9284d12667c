"""The compiled read path's statements: SQL text kept by what decides it, and run in the caller's unit of work.

`STATEMENTS` holds each statement once built (`CompiledStatement`: SQL text, bind parameters, the values compiled
into it), by document, operation name, organization and the selection's signature; `COMPILES` the static verdict
per document; `run_statement` runs one. Both the extension (`winnerr.sqlplan.extension`) and the lane
(`winnerr.sqlplan.lane`) read them.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Dialect, Select

from winnerr.context import Context
from winnerr.db.copy import positional

PLAN_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class RawJSON:
    """JSON text to put in a response as it is (it is not a str, so `json.dumps` refuses it loudly)."""

    text: str


K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The newest `size` entries, the least recently used dropped first."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()

    def find(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def get(self, key: K, make: Callable[[], V]) -> V:
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        value = self.entries[key] = make()
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """A statement's SQL text, its bind parameters in order and the values compiled into it; only the ids of
    the by-id roots change from one request to the next."""

    sql: str
    names: tuple[str, ...]
    values: dict[str, Any]

    @classmethod
    def of(cls, statement: Select[str, bool], dialect: Dialect) -> CompiledStatement:
        return cls(*positional(statement, dialect))

    def arguments(self, ids: Mapping[str, uuid.UUID]) -> tuple[Any, ...]:
        return tuple(ids[name] if name in ids else self.values[name] for name in self.names)


COMPILES: Recent[tuple[str, str | None], bool] = Recent()
"""Whether each (document, operation name) compiles at all, whatever its variables."""
STATEMENTS: Recent[tuple[Any, ...], CompiledStatement] = Recent()
"""Statements by (document, operation name, organization, the selection under its variables with the arguments
of its lists): the lists' filters come from the resolvers' query builders, which write their values in."""


async def run_statement(
    context: Context, statement: CompiledStatement, ids: Mapping[str, uuid.UUID]
) -> tuple[str, bool]:
    """Run a compiled statement for the caller, alone, in a transaction of its own bound to their organization
    (`winnerr.db.reads`): (`data` as JSON text, whether a by-id root found nothing)."""
    organization_id = context.principal.organization_id
    row = await context.database.reads.fetchrow(statement.sql, statement.arguments(ids), organization_id)
    return row[0], bool(row[1])
