"""The compiled read path as a schema extension: it answers a query before Strawberry's executor would.

It runs after every limit (tokens, validation with `DocumentLimits`, cost) and inside the operation's unit of
work (`Transaction`), over HTTP only (a websocket's results are sent by Strawberry as Python values). Its answer
is `data` as PostgreSQL's JSON text (`RawJSON`), which `encode_response` splices into the body unparsed.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_variable_values
from sqlalchemy import Dialect, Select
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from winnerr.context import Context
from winnerr.db.copy import positional
from winnerr.errors import DomainError
from winnerr.sqlplan.selection import TYPENAME, Collector, Fallback, Selected
from winnerr.sqlplan.sql import BY_ID, Compiler, by_id_keys, check

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


class CompiledReads(SchemaExtension):
    """Answer a query whose whole selection compiles with one SQL statement; leave everything else alone."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if (
            execution.result is None
            and document is not None
            and isinstance(context, Context)
            and context.connection is None
            and context.settings.compiled_reads
            and execution.operation_type is OperationType.QUERY
        ):
            try:
                data = await self._answer(context, document, execution.operation_name, execution.variables or {})
            except Exception as exc:  # coded and logged by `ErrorCodes`, as a resolver's would be
                execution.result = ExecutionResult(data=None, errors=[GraphQLError(str(exc), original_error=exc)])
            else:
                if data is not None:
                    execution.result = ExecutionResult(data=data)  # type: ignore[arg-type]
        yield

    async def _answer(
        self, context: Context, document: DocumentNode, operation_name: str | None, variables: Mapping[str, object]
    ) -> RawJSON | None:
        operation = get_operation_ast(document, operation_name)
        query = self.execution_context.query
        if operation is None or query is None:
            return None
        if not COMPILES.get((query, operation_name), lambda: _compiles(self, document, operation)):
            return None
        try:
            roots = _roots(self, document, operation, variables)
            if roots is None:
                return None
            selected, coerced = roots
            compiler = Compiler(self.execution_context.schema, context, coerced)
            if any(root.name != TYPENAME for root in selected):
                compiler.require_read()
            ids = by_id_keys(selected, compiler.arguments)
            key = (query, operation_name, context.principal.organization_id, _signature(selected, compiler))
            dialect = context.database.engine.dialect
            statement = STATEMENTS.get(key, lambda: CompiledStatement.of(compiler.statement(selected), dialect))
        except (Fallback, DomainError):  # the resolver path tells the error
            return None
        connection = await context.session.connection()
        row: Any = (await connection.exec_driver_sql(statement.sql, statement.arguments(ids))).one()
        return None if row[1] else RawJSON(row[0])


def _signature(selected: list[Selected], compiler: Compiler, *, root: bool = True) -> tuple[Any, ...]:
    """What decides a statement's SQL besides its ids: the fields selected, and the arguments of every field
    but the by-id roots (whose ids are bind parameters)."""
    return tuple(
        (
            item.key,
            item.name,
            repr(sorted(compiler.arguments(item).items())) if item.field and item.field.args and not (
                root and item.name in BY_ID) else None,
            _signature(item.children, compiler, root=False),
        )
        for item in selected
    )


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _query_type(extension: SchemaExtension) -> GraphQLObjectType:
    query_type = extension.execution_context.schema._schema.query_type
    assert query_type is not None
    return query_type


def _compiles(extension: SchemaExtension, document: DocumentNode, operation: OperationDefinitionNode) -> bool:
    """The static verdict: every field the document may select, whatever its variables, compiles."""
    collector = Collector(extension.execution_context.schema._schema, _fragments(document), None)
    try:
        check(collector.collect(_query_type(extension), [operation.selection_set]))
    except Fallback:
        return False
    return True


def _roots(
    extension: SchemaExtension, document: DocumentNode, operation: OperationDefinitionNode,
    variables: Mapping[str, object],
) -> tuple[list[Selected], VariableValues] | None:
    """The root selections under the coerced variables; None when the variables do not coerce (the resolver
    path tells why)."""
    schema = extension.execution_context.schema._schema
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(variables))
    if not isinstance(coerced, VariableValues):
        return None
    collector = Collector(schema, _fragments(document), coerced)
    return collector.collect(_query_type(extension), [operation.selection_set]), coerced
