"""One execution per event per audience.

Every subscriber of this process whose socket asks the same thing sees the same answer: an event's selection
is executed once for each *audience*, and every subscriber of that audience gets the same result, its JSON
written once (`RawJSON`). An audience is

- the operation, compared by its syntax tree (two sockets that sent the same text share it),
- its variables,
- the subscriber's organization and role, read at each event (a role that changed takes the subscriber
  to the audience of its new role at once),
- and the subscriber itself when the selection reaches a field whose answer depends on who asks
  (`PER_VIEWER_FIELDS`).

Each subscriber's own stream still decides what it receives (its replay, its filters, its membership
checks): only the execution of an event it was going to receive anyway is shared, in a unit of work of its
own, run by the first subscriber of the audience that gets there (`SharedLoads`, single-flight).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import ExecutionResult, FieldNode, Node, Visitor, visit
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from winnerr.context import Context
from winnerr.db.enums import Role
from winnerr.schema.live.types import LiveUpdate
from winnerr.sqlplan import RawJSON

PER_VIEWER_FIELDS = frozenset({"isFavorite"})
"""Fields whose answer depends on the member asking, not only on their organization and role."""


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


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.names.add(node.name.value)


@lru_cache(maxsize=256)
def asks_about_viewer(key: SyntaxKey) -> bool:
    """Whether the selection (through its fragments) names a field of `PER_VIEWER_FIELDS`."""
    names = _FieldNames()
    for node in key.nodes:
        visit(node, names)
    return not names.names.isdisjoint(PER_VIEWER_FIELDS)


class PerEventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """The executor of subscription events: the selection runs once per event for each audience.

    graphql-core 3.3 also copies a subscription's executor shallowly for each event, so every event wrote into
    the subscription's sub-field memo under keys that never repeat (about 2 KiB per event per socket, kept
    for the socket's life, bench/RESULTS.md): each event gets a fresh memo."""

    _subscription: tuple[SyntaxKey, str] | None = None
    _per_event = False

    def build_per_event_executor(self, payload: Any) -> PerEventExecutionContext:
        if self._subscription is None:
            nodes = (self.operation, *self.fragment_definitions.values())
            self._subscription = (SyntaxKey(nodes), _frozen(self.variable_values.coerced))
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

    def _audience(self, context: Context) -> Audience:
        assert self._subscription is not None
        document, variables = self._subscription
        principal = context.principal
        viewer = principal.user_id if asks_about_viewer(document) else None
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
