"""Schema extensions: the request's transaction, and errors told with the contract's codes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgi_correlation_id import correlation_id
from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
    is_non_null_type,
)
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from winnerr.context import Context
from winnerr.errors import DomainError, ErrorCode, internal_error_message
from winnerr.schema.documents import PerDocument

logger = logging.getLogger("winnerr.errors")

TOO_COMPLEX_MARKERS = ("token", "Validation aborted.")


class Transaction(SchemaExtension):
    """Run each operation in a unit of work of its own; commit a mutation that raised no error and roll back
    everything else. One operation is one transaction: a failed mutation leaves nothing behind, and shows
    nothing of it either (its root fields are null, see `_void_mutation`).

    The unit of work ends here, after `ErrorCodes` has coded the operation's errors (extensions leave in
    reverse order), so an error raised while it commits or rolls back is coded here, alike."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context):
            yield
            return
        async with context.operation(admit=True) as operation:
            yield
            result = self.execution_context.result
            succeeded = result is not None and not getattr(result, "errors", None)
            mutation = succeeded and self.execution_context.operation_type is OperationType.MUTATION
            operation.commit = mutation
            try:
                await context.end(operation)
            except Exception as exc:  # told to the client as INTERNAL_ERROR, and logged
                operation.commit = False
                _add_error(self.execution_context, unexpected_error(GraphQLError(str(exc), original_error=exc)))
            if not operation.commit:
                _void_mutation(self.execution_context)


class DocumentRules(SchemaExtension):
    """Strawberry's `MaxTokensLimiter` and `AddValidationRules` in one hook (one extension object per operation
    instead of two): the document is parsed with at most `max_tokens` tokens and validated with `rules` too."""

    def __init__(self, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.max_tokens = max_tokens
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        execution.parse_options["max_tokens"] = self.max_tokens
        execution.validation_rules = execution.validation_rules + self.rules
        yield


class CachedParse(ParserCache):
    """Strawberry's `ParserCache` (parsed documents shared by every request, by text), except for a document that
    does not parse: it is left to Strawberry's own parse, which reports the syntax error like any other error
    (raised in this hook, it would escape the error handling)."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.query:
            try:  # noqa: SIM105 (contextlib.suppress costs a context manager per operation)
                execution.graphql_document = self.cached_parse_document(execution.query, **execution.parse_options)
            except GraphQLError:
                pass
        yield


_VALIDATED: PerDocument[list[GraphQLError]] = PerDocument()


class CachedValidation(SchemaExtension):
    """Strawberry's `ValidationCache` (a document is validated once, its errors shared by every request with
    it), found by the document's identity instead of its hash (`winnerr.schema.documents`)."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document, rules = execution.graphql_document, execution.validation_rules
        if document is not None:
            schema = execution.schema._schema
            execution.pre_execution_errors = _VALIDATED.get(
                document, (schema, rules), lambda: validate_document(schema, document, rules)
            )
        yield


class ErrorCodes(MaskErrors):
    """Give every error its contract code; hide anything unexpected behind INTERNAL_ERROR and a request id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_every_error)

    def _process_result(self, result: object) -> None:
        """`MaskErrors`' without its runtime-checkable Protocol, whose `isinstance` looks up the protocol's
        attributes anew on every call: a result without `errors` has none to code either."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return _with(error, original.message, original.extensions)
        if original is None or _is_variable_error(error):
            code = ErrorCode.VALIDATION_ERROR
            if error.extensions and "code" in error.extensions:
                return error
            if any(marker in error.message for marker in TOO_COMPLEX_MARKERS):
                code = ErrorCode.QUERY_TOO_COMPLEX
            return _with(error, error.message, {"code": code.value})
        return unexpected_error(error)


def _every_error(_: GraphQLError) -> bool:
    return True


def unexpected_error(error: GraphQLError) -> GraphQLError:
    """INTERNAL_ERROR with the request id; the error is logged once, with its traceback, under that id."""
    request_id = correlation_id.get() or "-"
    logger.error("Unexpected error (request id %s)", request_id, exc_info=error.original_error or error)
    extensions = {"code": ErrorCode.INTERNAL_ERROR.value, "requestId": request_id}
    return _with(error, internal_error_message(request_id), extensions)


def _is_variable_error(error: GraphQLError) -> bool:
    """A variable's value that its type refused (a Decimal "abc", an Int above 2^31-1, an unknown enum
    value): graphql-core reports it before execution, without a path, wrapping the type's own error."""
    return error.path is None and isinstance(error.original_error, GraphQLError)


def _add_error(execution_context: ExecutionContext, error: GraphQLError) -> None:
    result = execution_context.result
    if result is not None:
        result.errors = [*(result.errors or []), error]


def _void_mutation(execution_context: ExecutionContext) -> None:
    """A mutation that rolled back shows none of what it would have written: each root field becomes null,
    and where one may not be null (the usual `createX: X!`) `data` itself does, as GraphQL propagates a
    non-null field's null to its parent. Its errors say why."""
    result = execution_context.result
    data = getattr(result, "data", None)
    if result is None or not data or execution_context.operation_type is not OperationType.MUTATION:
        return
    schema = execution_context.schema._schema
    document = execution_context.graphql_document
    operation = get_operation_ast(document, execution_context.operation_name) if document else None
    mutation_type = schema.mutation_type
    if operation is None or mutation_type is None:
        result.data = None
        return
    fragments = {
        definition.name.value: definition.selection_set
        for definition in document.definitions  # type: ignore[union-attr]
        if isinstance(definition, FragmentDefinitionNode)
    }
    names = dict(_response_keys(operation.selection_set, fragments))
    for key in data:
        field = mutation_type.fields.get(names.get(key, key))
        if field is None or is_non_null_type(field.type):
            result.data = None
            return
        data[key] = None


def _response_keys(
    selection_set: SelectionSetNode, fragments: dict[str, SelectionSetNode]
) -> Iterator[tuple[str, str]]:
    """(response key, field name) of each root field, through fragments."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield (selection.alias or selection.name).value, selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _response_keys(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _response_keys(fragments[selection.name.value], fragments)


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
        extensions=extensions,
    )
