"""The compiled read path as a schema extension: it answers a query before Strawberry's executor would.

It runs after every limit (tokens, validation with `DocumentLimits`, cost) and inside the operation's unit of
work (`Transaction`), over HTTP only (a websocket's results are sent by Strawberry as Python values). Its answer
is `data` as PostgreSQL's JSON text (`RawJSON`), which `encode_response` splices into the body unparsed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
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
from winnerr.errors import DomainError
from winnerr.observability.metrics import COMPILED_BY_EXTENSION
from winnerr.schema.limits import requested_cost
from winnerr.sqlplan.lane import LANE, Plan, id_variables
from winnerr.sqlplan.selection import TYPENAME, Collector, Fallback, Selected
from winnerr.sqlplan.sql import BY_ID, Compiler, by_id_keys, check
from winnerr.sqlplan.statements import COMPILES, STATEMENTS, CompiledStatement, RawJSON, run_statement


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
        text, missing = await run_statement(context, statement, ids)
        if missing:
            return None
        self._teach_lane(document, operation, selected, compiler, ids)
        COMPILED_BY_EXTENSION.inc()
        return RawJSON(text)

    def _teach_lane(
        self, document: DocumentNode, operation: OperationDefinitionNode, selected: list[Selected],
        compiler: Compiler, ids: dict[str, uuid.UUID],
    ) -> None:
        """A document whose only variables are its by-id roots' ids has a fixed plan: the lane answers it next
        time (`winnerr.sqlplan.lane`)."""
        execution = self.execution_context
        variables = id_variables(document, selected)
        if variables is None or execution.query is None:
            return
        schema = execution.schema._schema
        cost = requested_cost(schema, document, execution.operation_name, execution.variables)
        plan = Plan(execution.operation_name, _signature(selected, compiler), cost, ids, variables)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        names = {execution.operation_name, None} if len(operations) == 1 else {execution.operation_name}
        for name in names:  # a lone operation is run whether the request names it or not
            LANE.learn(execution.query, name, plan)


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
