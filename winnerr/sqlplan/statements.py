"""The compiled read path's statements: SQL text kept by what decides it, and run in the caller's unit of work.

`STATEMENTS` holds each statement once built (`CompiledStatement`: SQL text, bind parameters, the values compiled
into it), by document, operation name, organization and the selection's signature; `COMPILES` the static verdict
per document; `run_statement` runs one. Both the extension (`winnerr.sqlplan.extension`) and the lane
(`winnerr.sqlplan.lane`) read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select

from winnerr.context import Context
from winnerr.db.copy import positional
from winnerr.recent import Recent


@dataclass(frozen=True, slots=True)
class RawJSON:
    """JSON text to put in a response as it is (it is not a str, so `json.dumps` refuses it loudly)."""

    text: str


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
