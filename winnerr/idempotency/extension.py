"""The schema extension that applies `Idempotency-Key` to a mutation (see `winnerr.idempotency`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from winnerr.context import Context
from winnerr.errors import DomainError
from winnerr.idempotency.keys import IdempotentRequest
from winnerr.idempotency.store import claim, record


class IdempotentMutations(SchemaExtension):
    """Before a mutation with a key runs: claim the key, or answer with the first request's answer (or
    CONFLICT). After it ran without errors: record its answer, before `Transaction` commits. It runs after
    `CostBudget`, so a request the budget refuses claims nothing."""

    async def on_execute(self) -> AsyncIterator[None]:
        keyed = self._keyed()
        claimed = keyed is not None and await self._claim(*keyed)
        yield
        result = self.execution_context.result
        if claimed and keyed is not None and result is not None and not result.errors:
            context, request = keyed
            if isinstance(result.data, dict):
                await record(context.scope, context.principal.user_id, request, result.data)

    def _keyed(self) -> tuple[Context, IdempotentRequest] | None:
        """A mutation that is to run (nothing refused it yet) and its key, if it has one."""
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, Context) or context.idempotency is None or execution.result is not None:
            return None
        if execution.operation_type is not OperationType.MUTATION:
            return None
        return context, context.idempotency

    async def _claim(self, context: Context, request: IdempotentRequest) -> bool:
        """Whether this request claimed the key and runs; else its answer (a replay or an error) is set."""
        try:
            user_id = context.principal.user_id
            answer = await claim(context.scope, user_id, request, context.settings.idempotency_wait_seconds)
        except DomainError as error:
            self.execution_context.result = ExecutionResult(None, [GraphQLError(error.message, original_error=error)])
            return False
        if answer is None:
            return True
        request.replayed = True
        self.execution_context.result = ExecutionResult(answer, None)
        return False
