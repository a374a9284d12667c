"""Each member's query-cost budget, drawn from the cost `winnerr.schema.limits` computes, reported on every answer.

Like Shopify's API: a member has `COST_BUDGET` points (e.g. `50000/minute`: 50,000 points, refilling over a
minute), counted by `limits`' sliding window counter in the storage every instance shares (`Limits.cost`):
points spent in the previous window come back continuously as it slides away. Before an operation runs, its
requested cost (the most objects it may return) is taken from the budget; when the budget holds less, the
operation does not run and is refused with `RATE_LIMITED` and `extensions.retryAfter` (seconds; over HTTP also
the `Retry-After` header and status 429). An operation dearer than the whole budget needs the whole budget.
The requested cost is charged; the difference to the actual one is not refunded.

Every answer, refusals and documents that do not validate included, carries
`extensions.cost {requested actual budget remaining}`: `requested` as charged (0 when the operation never got to
run), `actual` the objects the answer holds (every JSON object under `data`, counted as the cost counts them),
`budget` the budget's size and `remaining` what is left of it, in points. A subscription's events carry none: it
is charged once, when it starts, and each event is the same message for every socket of its audience.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from winnerr.context import Context
from winnerr.errors import DomainError, ErrorCode
from winnerr.ratelimit import Window, member_key
from winnerr.schema.limits import MAX_COST, requested_cost, too_complex
from winnerr.sqlplan.statements import RawJSON

BUDGET_SPENT = "The query-cost budget is spent: retry in {seconds} s, or ask for fewer objects (lower limits)"


def budget_spent(window: Window) -> GraphQLError:
    message = BUDGET_SPENT.format(seconds=window.reset_after)
    extensions = {"code": ErrorCode.RATE_LIMITED.value, "retryAfter": window.reset_after}
    return GraphQLError(message, extensions=extensions)


JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


LEAVES = frozenset((str, int, float, bool, type(None)))
"""The types of the values an answer's fields serialize to, besides objects and lists."""


def objects_in(value: Any) -> int:
    """The JSON objects inside `value` (itself excluded). The compiled read path's answer is PostgreSQL's JSON
    text: its objects are its braces outside strings, counted without parsing it. Walked with a stack, looking
    only into objects and lists: a list of 100 deals holds some 2,000 values, most of them scalars, each told
    by its exact type with one comparison or two (anything else, e.g. a subclass, by `_nested`)."""
    if isinstance(value, RawJSON):
        return _objects_in_text(value.text)
    count = 0
    pending = [value] if isinstance(value, dict | list) else []
    while pending:
        current = pending.pop()
        for item in current.values() if isinstance(current, dict) else current:
            kind = type(item)
            if kind is dict:
                count += 1
                pending.append(item)
            elif kind is list:
                pending.append(item)
            elif kind not in LEAVES:
                count += _nested(item, pending)
    return count


def _nested(item: Any, pending: list[Any]) -> int:
    """The objects `item` is or holds at once, and whatever holds more pushed onto `pending`."""
    if isinstance(item, dict):
        pending.append(item)
        return 1
    if isinstance(item, list):
        pending.append(item)
        return 0
    return _objects_in_text(item.text) if isinstance(item, RawJSON) else 0


@lru_cache(maxsize=256)
def _objects_in_text(text: str) -> int:
    """Counted once for a subscription event's answer that all its audience shares (`schema.live.execution`)."""
    return max(0, JSON_STRING.sub("", text).count("{") - 1)


class CostBudget(SchemaExtension):
    """Refuses an operation over `MAX_COST` (`QUERY_TOO_COMPLEX`) or over what is left of the caller's budget
    (`RATE_LIMITED`), before it runs; reports `extensions.cost` (see the module's docstring)."""

    def __init__(self) -> None:
        self.requested = 0
        self.window: Window | None = None
        self.subscribed = False  # a subscription that started: its events report no cost

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            cost = requested_cost(context.schema._schema, document, context.operation_name, context.variables)
            error = await self._refusal(cost)
            if error is not None:
                if context.operation_type is OperationType.SUBSCRIPTION:
                    raise error  # Strawberry subscribes whatever the result; it answers what this hook raises
                context.result = ExecutionResult(data=None, errors=[error])
            self.subscribed = context.operation_type is OperationType.SUBSCRIPTION
        yield

    async def _refusal(self, cost: int) -> GraphQLError | None:
        if cost > MAX_COST:
            return too_complex(f"The query may return more than {MAX_COST} objects; ask for fewer (lower limits).")
        self.window = await self._charge(cost)
        if self.window is None or self.window.allowed:
            self.requested = cost
            return None
        return budget_spent(self.window)

    async def _charge(self, cost: int) -> Window | None:
        context = self.execution_context.context
        return await charge(context, cost) if isinstance(context, Context) else None

    async def get_results(self) -> dict[str, Any]:
        if self.subscribed:
            return {}  # an event: the subscription was charged once, when it started (`winnerr.subscriptions.fanout`)
        window = self.window or await self._charge(0)
        result = self.execution_context.result
        return cost_report(self.requested, window, result.data if result is not None else None)


async def charge(context: Context, cost: int) -> Window | None:
    """Take `cost` points from the caller's budget (0 reads it); None for a caller without one. A request the
    compiled read path's lane already charged is not charged again (`Context.prepaid`)."""
    if context.prepaid is not None:
        window, context.prepaid = context.prepaid, None
        return window
    if context.limits is None:
        return None
    try:
        principal = context.principal
    except DomainError:
        return None  # refused anyway, for another reason
    return await context.limits.cost.hit("cost", member_key(principal), cost=cost)


def cost_report(requested: int, window: Window | None, data: Any) -> dict[str, Any]:
    """`extensions` with the answer's `cost` (none for a caller without a budget)."""
    if window is None:
        return {}
    actual = objects_in(data)
    return {"cost": {"requested": requested, "actual": actual, "budget": window.limit, "remaining": window.remaining}}
