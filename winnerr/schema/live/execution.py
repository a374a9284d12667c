"""One execution per event per audience.

Every subscriber of this process whose socket asks the same thing sees the same answer: an event's selection
is executed once for each *audience*, and every subscriber of that audience gets the same result, its JSON
written once (`RawJSON`). An audience is

- the operation, compared by its syntax tree (two sockets that sent the same text share it),
- its variables, but for those only telling where the subscriber resumes (`after`),
- the subscriber's organization and role, read at each event (a role that changed takes the subscriber
  to the audience of its new role at once),
- and the subscriber itself when the selection reaches a field whose answer depends on who asks
  (`PER_VIEWER_FIELDS`).

A subscription's own stream (its replay, over SSE, or on a server we cannot write to directly) shares the
execution of an event with its audience, in a unit of work of its own, run by the first subscriber of the
audience that gets there (`SharedLoads`, single-flight). Once a websocket subscription has joined its
organization's feed (`winnerr.subscriptions.fanout`), the feed asks for each event's answer (`answer`), already
serialised, once per audience.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLResolveInfo,
    Node,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from winnerr.context import Context
from winnerr.db.enums import Role
from winnerr.schema.extensions import ErrorCodes
from winnerr.schema.live.types import LiveUpdate
from winnerr.sqlplan.statements import RawJSON
from winnerr.subscriptions.fanout import DELIVERY
from winnerr.subscriptions.stream import retrying

PER_VIEWER_FIELDS = frozenset({"isFavorite"})
"""Fields whose answer depends on the member asking, not only on their organization and role."""
REPLAY_ARGUMENT = "after"
CODED = ErrorCodes()
"""Gives the errors of an answer delivered by its audience their codes, as `ErrorCodes` does on Strawberry's stream."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who gets the same answer to an event: see the module's docstring."""

    document: Hashable
    variables: str
    organization_id: uuid.UUID
    role: Role
    viewer: uuid.UUID | None


class SyntaxKey:
    """An operation with its fragments, compared by syntax; hashed once, not at every event."""

    __slots__ = ("_hash", "nodes")

    def __init__(self, nodes: tuple[Node, ...]) -> None:
        self.nodes = nodes
        self._hash = hash(nodes)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SyntaxKey) and (self.nodes is other.nodes or self.nodes == other.nodes)


class _Usages(Visitor):
    """The field names a selection names, and how often it uses each variable."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.variables: Counter[str] = Counter()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.names.add(node.name.value)

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.variables[node.name.value] += 1


def usages(nodes: tuple[Node, ...]) -> _Usages:
    found = _Usages()
    for node in nodes:
        visit(node.selection_set if isinstance(node, OperationDefinitionNode) else node, found)
    return found


def replay_only(operation: OperationDefinitionNode, used: Counter[str]) -> frozenset[str]:
    """The variables used only as a root field's `after`: where a subscriber resumes, not what it is shown."""
    resuming: Counter[str] = Counter(
        argument.value.name.value
        for field in operation.selection_set.selections
        if isinstance(field, FieldNode)
        for argument in field.arguments or ()
        if argument.name.value == REPLAY_ARGUMENT and isinstance(argument.value, VariableNode)
    )
    return frozenset(name for name, count in resuming.items() if used[name] == count)


class PerEventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """The executor of subscription events: the selection runs once per event for each audience.

    graphql-core 3.3 also copies a subscription's executor shallowly for each event, so every event wrote into
    the subscription's sub-field memo under keys that never repeat (about 2 KiB per event per socket, kept
    for the socket's life, bench/RESULTS.md): each event gets a fresh memo."""

    _subscription: tuple[SyntaxKey, str, bool] | None = None
    _per_event = False

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> GraphQLResolveInfo[Any]:
        """At the subscription's root field, tell the socket's delivery (if any) who executes its events."""
        delivery = DELIVERY.get()
        if delivery is not None and not self._per_event:
            delivery.executor = self
        return super().build_resolve_info(*args, **kwargs)

    def audience_of(self, context: Context) -> Audience:
        if self._subscription is None:
            self._subscription = self._audience_of_subscription()
        return self._audience(context)

    async def answer(self, root: Any, context: Context) -> bytes:
        """An event's `payload` for the audience of `context`, as JSON: executed once per audience and event
        (`execute_operation`), errors given their codes as Strawberry's stream would (`ErrorCodes`). A database
        that is unreachable for a moment delays the answer (`retrying`); it does not end the feed."""
        result = await retrying(self._result, root, context)
        data = result.data.text.encode() if isinstance(result.data, RawJSON) else orjson.dumps(result.data)
        if not result.errors:
            return b'{"data":' + data + b"}"
        errors = orjson.dumps([CODED.anonymise_error(error).formatted for error in result.errors])
        return b'{"data":' + data + b',"errors":' + errors + b"}"

    def build_per_event_executor(self, payload: Any) -> PerEventExecutionContext:
        if self._subscription is None:
            self._subscription = self._audience_of_subscription()
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, PerEventExecutionContext)
        executor._relevant_sub_fields = {}
        executor._per_event = True
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        context, event = self.context_value, self.root_value
        if not (self._per_event and isinstance(context, Context) and isinstance(event, LiveUpdate)):
            return super().execute_operation(serially)
        key = ("execution", self._audience(context), event.sequence)
        return context.hub.shared.get(key, lambda: self._shared_execution(context, serially))

    async def _result(self, root: Any, context: Context) -> ExecutionResult:
        executor = self.build_per_event_executor(root)
        executor.context_value = context
        result = executor.execute_operation(False)
        if self.is_awaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result

    def _audience_of_subscription(self) -> tuple[SyntaxKey, str, bool]:
        """What of the audience is fixed for the subscription: its document, the variables that shape its
        answer (not those only telling where it resumes), whether it asks for `PER_VIEWER_FIELDS`."""
        nodes = (self.operation, *self.fragment_definitions.values())
        used = usages(nodes)
        skipped = replay_only(self.operation, used.variables)
        shaping = {name: value for name, value in self.variable_values.coerced.items() if name not in skipped}
        return SyntaxKey(nodes), _frozen(shaping), not used.names.isdisjoint(PER_VIEWER_FIELDS)

    def _audience(self, context: Context) -> Audience:
        assert self._subscription is not None
        document, variables, per_viewer = self._subscription
        principal = context.principal
        viewer = principal.user_id if per_viewer else None
        return Audience(document, variables, principal.organization_id, principal.role, viewer)

    async def _shared_execution(self, context: Context, serially: bool | None) -> ExecutionResult:
        """The event's answer for its audience, in a unit of work of its own, its data as JSON text."""
        async with context.operation():
            result = super().execute_operation(serially)
            if self.is_awaitable(result):
                result = await result
        assert isinstance(result, ExecutionResult)
        data = None if result.data is None else RawJSON(json.dumps(result.data, separators=(",", ":")))
        return ExecutionResult(data, result.errors)  # type: ignore[arg-type]


def _frozen(variables: dict[str, Any]) -> str:
    return json.dumps(variables, sort_keys=True, default=str, separators=(",", ":"))
