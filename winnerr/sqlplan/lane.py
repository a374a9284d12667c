"""The compiled read path's lane: a query it answered once is answered next time without Strawberry's executor.

A document the compiled path answered (`CompiledReads`) parsed, validated and passed every limit that depends
on its text alone (tokens, depth, aliases, the cost ceiling). When, besides, its only variables are the ids of
its by-id roots, its whole plan is fixed: the same selection, the same requested cost, and per organization one
statement whose only bind parameters are those ids. `Lane` keeps such plans by (document text, operation name)
and, for the next request with that text, does only what differs from one request to the next: the caller's
permission, the ids, the cost budget, the statement (`winnerr.db.reads`) and the operation's log line,
with the answer and `extensions.cost` the full path would give.

Anything out of the ordinary goes to the full path, which answers as it always does: an id that is not a UUID
or a variable missing, a caller who may not read or whose organization has no statement yet, a spent budget,
and a by-id root that finds nothing (its NOT_FOUND is told with its path there). What the lane already charged
is handed over (`Context.prepaid`), so a request is charged once whichever path answers it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, VariableNode, visit
from graphql.language import Visitor
from graphql.language.visitor import SKIP, VisitorAction
from strawberry.types import ExecutionResult

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.errors import DomainError
from winnerr.logs import log_operation
from winnerr.observability.metrics import COMPILED_BY_LANE
from winnerr.recent import Recent
from winnerr.schema.budget import charge, cost_report
from winnerr.sqlplan.selection import Selected
from winnerr.sqlplan.sql import BY_ID, id_parameter
from winnerr.sqlplan.statements import STATEMENTS, RawJSON, run_statement


@dataclass(frozen=True, slots=True)
class Plan:
    """What a fixed document asks for, whoever calls it: its statement's key besides the organization (its
    operation and selection), its requested cost, and the ids of its by-id roots (literal, or from a variable)."""

    operation_name: str | None
    """The operation's name as the document gives it (a request may leave a lone operation unnamed)."""
    signature: tuple[Any, ...]
    cost: int
    ids: Mapping[str, uuid.UUID]
    id_variables: Mapping[str, str]
    """Bind parameter → the variable that gives it."""

    def ids_of(self, variables: Mapping[str, object]) -> dict[str, uuid.UUID] | None:
        """The ids under these variables; None when one is missing or not a UUID (the full path tells)."""
        ids = dict(self.ids)
        for parameter, variable in self.id_variables.items():
            value = variables.get(variable)
            if not isinstance(value, str):
                return None
            try:
                ids[parameter] = uuid.UUID(value)
            except ValueError:
                return None
        return ids


class _Variables(Visitor):
    """Every variable reference of a document (its definitions aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[VariableNode] = []

    def enter_variable_definition(self, *_: object) -> VisitorAction:
        return SKIP  # the `$id: ID!` that declares a variable is no use of it

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.references.append(node)


def id_variables(document: DocumentNode, roots: list[Selected]) -> dict[str, str] | None:
    """Bind parameter → variable name when every variable the document uses is the `id` of one of its by-id
    roots; None otherwise (the plan then depends on the variables)."""
    found: dict[str, str] = {}
    allowed: set[int] = set()
    for root in roots:
        if root.name not in BY_ID:
            continue
        for node in root.nodes:
            for argument in node.arguments or ():
                if argument.name.value == "id" and isinstance(argument.value, VariableNode):
                    allowed.add(id(argument.value))
                    found[id_parameter(root)] = argument.value.name.value
    references = _Variables()
    visit(document, references)
    if any(id(reference) not in allowed for reference in references.references):
        return None
    return found


class Lane:
    """Fixed plans by (document text, operation name); see the module's docstring."""

    def __init__(self) -> None:
        self.plans: Recent[tuple[str, str | None], Plan] = Recent()

    def learn(self, query: str, operation_name: str | None, plan: Plan) -> None:
        self.plans.get((query, operation_name), lambda: plan)

    async def answer(
        self, context: Context, query: str, operation_name: str | None, variables: Mapping[str, object]
    ) -> ExecutionResult | None:
        """The answer to a query of a known fixed plan; None for the full path to answer."""
        plan = self.plans.find((query, operation_name))
        principal = context.authenticated
        if plan is None or principal is None or not context.settings.compiled_reads or not _may_read(context):
            return None
        ids = plan.ids_of(variables)
        statement = STATEMENTS.find((query, plan.operation_name, principal.organization_id, plan.signature))
        if ids is None or statement is None:
            return None
        started = time.perf_counter()
        window = await charge(context, plan.cost)
        if window is not None and not window.allowed:
            context.prepaid = window  # the full path refuses it, with the window this charge read
            return None
        text, missing = await run_statement(context, statement, ids)
        if missing:
            context.prepaid = window
            return None
        data = RawJSON(text)
        COMPILED_BY_LANE.inc()
        log_operation(context, plan.operation_name, "query", [], time.perf_counter() - started)
        return ExecutionResult(data=data, errors=None, extensions=cost_report(plan.cost, window, data))  # type: ignore[arg-type]


def _may_read(context: Context) -> bool:
    try:
        context.principal.require(Permission.READ)
    except DomainError:
        return False
    return True


LANE = Lane()
"""The process's lane: `CompiledReads` teaches it, `WinnerrGraphQL` asks it before its view runs."""
