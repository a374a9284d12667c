"""Schema extensions: the request's transaction, and errors told with the contract's codes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from asgi_correlation_id import correlation_id
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.graphql import OperationType

from winnerr.context import Context
from winnerr.errors import DomainError, ErrorCode, internal_error_message

logger = logging.getLogger("winnerr.errors")

TOO_COMPLEX_MARKERS = ("token", "Validation aborted.")


class Transaction(SchemaExtension):
    """Run each operation in a unit of work of its own; commit a mutation that raised no error and roll back
    everything else. One operation is one transaction: a failed mutation leaves nothing behind."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context):
            yield
            return
        async with context.operation(admit=True) as operation:
            yield
            result = self.execution_context.result
            succeeded = result is not None and not getattr(result, "errors", None)
            operation.commit = succeeded and self.execution_context.operation_type is OperationType.MUTATION


class ErrorCodes(MaskErrors):
    """Give every error its contract code; hide anything unexpected behind INTERNAL_ERROR and a request id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return _with(error, original.message, original.extensions)
        if original is None:
            code = ErrorCode.VALIDATION_ERROR
            if error.extensions and "code" in error.extensions:
                return error
            if any(marker in error.message for marker in TOO_COMPLEX_MARKERS):
                code = ErrorCode.QUERY_TOO_COMPLEX
            return _with(error, error.message, {"code": code.value})
        request_id = correlation_id.get() or "-"
        logger.error("Unexpected error (request id %s)", request_id, exc_info=original)
        extensions = {"code": ErrorCode.INTERNAL_ERROR.value, "requestId": request_id}
        return _with(error, internal_error_message(request_id), extensions)


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
        extensions=extensions,
    )
