"""The compiled read path as a schema extension: it answers a query before Strawberry's executor would.

It runs after every limit (tokens, validation with `DocumentLimits`, cost) and inside the operation's unit of
work (`Transaction`), over HTTP only (a websocket's results are sent by Strawberry as Python values). Its answer
is `data` as PostgreSQL's JSON text (`RawJSON`), which `encode_response` splices into the body unparsed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from winnerr.context import Context
from winnerr.sqlplan.selection import Collector, Fallback, Selected
from winnerr.sqlplan.sql import Compiler, check

PLAN_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class RawJSON:
    """JSON text to put in a response as it is (it is not a str, so `json.dumps` refuses it loudly)."""

    text: str


class PlanCache:
    """Whether each (document, operation name) compiles at all, the newest `PLAN_CACHE_SIZE` remembered.
    The statement's SQL text is cached by SQLAlchemy, by the statement's shape; values are bind parameters."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self.verdicts: OrderedDict[tuple[str, str | None], bool] = OrderedDict()

    def compiles(self, key: tuple[str, str | None], decide: Callable[[], bool]) -> bool:
        if key in self.verdicts:
            self.verdicts.move_to_end(key)
            return self.verdicts[key]
        verdict = self.verdicts[key] = decide()
        if len(self.verdicts) > self.size:
            self.verdicts.popitem(last=False)
        return verdict


PLANS = PlanCache()


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
        key = (query, operation_name)
        if not PLANS.compiles(key, lambda: _compiles(self, document, operation)):
            return None
        try:
            roots = _roots(self, document, operation, variables)
            if roots is None:
                return None
            statement = Compiler(self.execution_context.schema, context, roots[1]).statement(roots[0])
        except Fallback:
            return None
        row: Any = (await context.scope.execute(statement)).one()
        return None if row[1] else RawJSON(row[0])


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
