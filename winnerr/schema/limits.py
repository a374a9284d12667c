"""How big a GraphQL document may be: its depth and aliases (once per document) and its cost (once per request).

Every limit walks the document once: each fragment is measured a single time and its result memoised, so a
chain of fragments that spread the next one twice (2^n paths) costs as much to check as its text is long,
and is refused in milliseconds. Refusals carry `QUERY_TOO_COMPLEX`.

- **Depth** is the number of nested fields from a root field to the deepest leaf, the root field included
  and fragments looked through: `{ me { role } }` is 2. At most `MAX_DEPTH` levels (10 pass, 11 do not).
  Introspection fields (`__schema`, `__type`, `__typename`) are not counted, as in Strawberry's limiter.
- **Aliases** are counted over an operation with its fragments, a fragment once per spread. At most
  `MAX_ALIASES`.
- **Root mutation fields**: a mutation runs at most `MAX_ROOT_MUTATIONS` root fields (fragments looked
  through), each one a change of its own in the operation's one transaction.
- **Cost** is how many objects the operation may return at most: every field of an object type counts one
  object per item its list may hold, nested lists multiplying. A page (`{items, pagination}`) holds `limit`
  items (the argument or variable when given, else its default; a page field without its own `limit` takes
  its parent's), a bulk mutation's rows as many as its list argument, and every other list of objects has
  a hard cap (`LIST_CAPS`). Scalars and introspection are free. At most `MAX_COST`; it is computed (in
  linear time) before any SQL runs: once per document, or before each execution when a variable's value
  counts (a `limit`, a list's length).

Depth, aliases and root mutations are validation rules, cached with the rest of validation (`CachedValidation`).
The cost, `requested_cost`, is checked against `MAX_COST` and drawn from each member's budget by
`winnerr.schema.budget.CostBudget`, before any SQL runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    ListValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
)
from graphql.utilities import value_from_ast

from winnerr.errors import ErrorCode
from winnerr.resolvers.insights import INSIGHT_LIST_CAPS
from winnerr.resolvers.integrations import MAX_INTEGRATIONS
from winnerr.resolvers.live import MAX_ONLINE_MEMBERS
from winnerr.resolvers.loaders import MAX_STAGES
from winnerr.resolvers.pagination import DEFAULT_LIMIT, MAX_LIMIT
from winnerr.resolvers.people import MAX_SUGGESTIONS
from winnerr.resolvers.people_bulk import MAX_ROWS
from winnerr.resolvers.pipelines import MAX_PIPELINES
from winnerr.schema.documents import PerDocument
from winnerr.schema.people.bulk import MAX_ISSUES

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_COST = 20_000
MAX_ROOT_MUTATIONS = 10

LIST_CAPS: Mapping[str, int] = {
    "Query.pipelines": MAX_PIPELINES,
    "Pipeline.stages": MAX_STAGES,
    "PipelineBoard.columns": MAX_STAGES,
    "Query.suggestPeople": MAX_SUGGESTIONS,
    "Query.onlineMembers": MAX_ONLINE_MEMBERS,
    "BulkPersonRow.issues": MAX_ISSUES,
    "Query.integrations": MAX_INTEGRATIONS,
    **INSIGHT_LIST_CAPS,
}
"""The most items each list of objects that is neither a page nor sized by its request may hold, by
`Type.field`."""

SIZED_BY_REQUEST = frozenset({"BulkPeopleResult.rows"})
"""Lists with one item per item of the list argument of the field above them (at most `MAX_ROWS`)."""

PAGE_ITEMS = "items"


def too_complex(message: str, nodes: Any = None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})


def _fields(selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
    """The fields of a selection set, those of its inline fragments included (not those of its spreads)."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set)


def _spreads(selection_set: SelectionSetNode | None) -> Iterator[FragmentSpreadNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FragmentSpreadNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _spreads(selection.selection_set)


class _FragmentMemo:
    """Measures each named fragment once (a cycle, which validation refuses anyway, measures 0)."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], measure: Callable[[SelectionSetNode], int]):
        self.fragments = fragments
        self.measure = measure
        self.results: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        if name not in self.results:
            fragment = self.fragments.get(name)
            self.results[name] = 0
            if fragment is not None:
                self.results[name] = self.measure(fragment.selection_set)
        return self.results[name]


def _fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def operation_depth(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]) -> int:
    """The depth of a selection set (see the module's docstring); introspection fields are not counted."""

    def depth(selections: SelectionSetNode | None) -> int:
        deepest = max((memo(spread.name.value) for spread in _spreads(selections)), default=0)
        for field in _fields(selections):
            if not field.name.value.startswith("__"):
                deepest = max(deepest, 1 + depth(field.selection_set))
        return deepest

    memo = _FragmentMemo(fragments, depth)
    return depth(selection_set)


def alias_count(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]) -> int:
    """The aliases of a selection set, a fragment's counted at each spread (capped just above the limit)."""

    def count(selections: SelectionSetNode | None) -> int:
        total = sum(memo(spread.name.value) for spread in _spreads(selections))
        for field in _fields(selections):
            total += (field.alias is not None) + count(field.selection_set)
        return min(total, MAX_ALIASES + 1)

    memo = _FragmentMemo(fragments, count)
    return count(selection_set)


def root_field_count(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]) -> int:
    """The root fields of a selection set, fragments looked through (each spread counted, capped just above
    the limit)."""

    def count(selections: SelectionSetNode | None) -> int:
        total = sum(memo(spread.name.value) for spread in _spreads(selections))
        return min(total + sum(1 for _ in _fields(selections)), MAX_ROOT_MUTATIONS + 1)

    memo = _FragmentMemo(fragments, count)
    return count(selection_set)


class DocumentLimits(ValidationRule):
    """Refuses an operation deeper than `MAX_DEPTH`, with more than `MAX_ALIASES` aliases, or a mutation with
    more than `MAX_ROOT_MUTATIONS` root fields."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = _fragments_of(context.document)

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = operation_depth(node.selection_set, self.fragments)
        if depth > MAX_DEPTH:
            self.report_error(too_complex(f"The query is {depth} levels deep; at most {MAX_DEPTH} are allowed.", node))
        aliases = alias_count(node.selection_set, self.fragments)
        if aliases > MAX_ALIASES:
            self.report_error(too_complex(f"The query uses more than {MAX_ALIASES} aliases.", node))
        if node.operation is OperationType.MUTATION:
            roots = root_field_count(node.selection_set, self.fragments)
            if roots > MAX_ROOT_MUTATIONS:
                message = f"The operation runs {roots} mutations; at most {MAX_ROOT_MUTATIONS} per operation."
                self.report_error(too_complex(message, node))


def _sized_by_request(parent: GraphQLNamedType, name: str) -> bool:
    """Whether the list holds as many items as the request asked for: a page's items, or `SIZED_BY_REQUEST`."""
    return (name == PAGE_ITEMS and _is_page(parent)) or f"{parent.name}.{name}" in SIZED_BY_REQUEST


def _is_object_list(field: GraphQLField) -> bool:
    return _is_list(field.type) and is_composite_type(get_named_type(field.type))


def unbounded_lists(schema: GraphQLSchema) -> list[str]:
    """The lists of objects with no bound: not sized by their request, and not listed in `LIST_CAPS`."""
    found = []
    for named in schema.type_map.values():
        if named.name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, field in named.fields.items():
            coordinate = f"{named.name}.{name}"
            if _is_object_list(field) and not _sized_by_request(named, name) and coordinate not in LIST_CAPS:
                found.append(coordinate)
    return found


def _is_list(type_: GraphQLType) -> bool:
    return is_list_type(type_.of_type if isinstance(type_, GraphQLNonNull) else type_)


def _is_page(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and {PAGE_ITEMS, "pagination"} <= named.fields.keys()


class _CostCounter:
    """The cost of one operation under its variables; see the module's docstring."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = _fragments_of(document)
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = value_from_ast(definition.default_value, GraphQLInt)
        self.memo: dict[tuple[str, int], int] = {}
        self.read_variables = False
        """Whether a variable's value counted: else the cost is the document's, whatever the variables."""

    def variable(self, node: VariableNode) -> Any:
        self.read_variables = True
        return self.variables.get(node.name.value)

    def selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, page_size: int) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page_size)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page_size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                typed = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, typed or parent, page_size)
            if total > MAX_COST:
                break
        return min(total, MAX_COST + 1)

    def fragment(self, name: str, page_size: int) -> int:
        key = (name, page_size)
        if key not in self.memo:
            self.memo[key] = 0
            fragment = self.fragments.get(name)
            parent = self.schema.get_type(fragment.type_condition.name.value) if fragment else None
            if fragment is not None and parent is not None:
                self.memo[key] = self.selections(fragment.selection_set, parent, page_size)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, page_size: int) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", {})
        if name.startswith("__") or name not in fields:
            return 0
        field: GraphQLField = fields[name]
        named = get_named_type(field.type)
        if not is_composite_type(named):
            return 0
        page_size = self.size(node, field, page_size)
        items = 1
        if _is_object_list(field):
            items = page_size if _sized_by_request(parent, name) else LIST_CAPS.get(f"{parent.name}.{name}", 1)
        return items * (1 + self.selections(node.selection_set, named, page_size))

    def size(self, node: FieldNode, field: GraphQLField, inherited: int) -> int:
        """How many items the field asks for: its `limit` (an argument, or a field of an input argument, given
        or declared), else the length of its list argument (a bulk mutation's), else what its parent had."""
        given = self.given_limit(node.arguments or ())
        declared = field.args.get("limit")
        if given is None and declared is not None:
            given = declared.default_value if isinstance(declared.default_value, int) else DEFAULT_LIMIT
        if given is not None:
            return max(1, min(given, MAX_LIMIT))
        batch = self.list_length(node, field)
        return inherited if batch is None else max(1, min(batch, MAX_ROWS))

    def list_length(self, node: FieldNode, field: GraphQLField) -> int | None:
        """The length of the field's list argument (`MAX_ROWS` when it is not known); None without one."""
        for argument in node.arguments or ():
            declared = field.args.get(argument.name.value)
            if declared is None or not _is_list(declared.type):
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                given = self.variable(value)
                return len(given) if isinstance(given, list) else MAX_ROWS
            return len(value.values) if isinstance(value, ListValueNode) else 1
        return None

    def given_limit(self, arguments: Iterable[ArgumentNode | ObjectFieldNode]) -> int | None:
        for argument in arguments:
            value = argument.value
            if isinstance(value, ObjectValueNode):
                found = self.given_limit(value.fields)
            elif argument.name.value != "limit":
                continue
            elif isinstance(value, VariableNode):
                found = self.variable(value)
            else:
                found = value_from_ast(value, GraphQLInt)
            if isinstance(found, int) and not isinstance(found, bool):
                return found
        return None


_FIXED_COSTS: PerDocument[int | None] = PerDocument()
"""A document's cost per (schema, operation) when no variable changes it; None when one does."""


def requested_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int:
    """The most objects the operation may return (capped just above `MAX_COST`); 0 for an unknown operation.

    Linear in the document: each fragment is counted once per page size it is used with. Counted once per
    document, unless a variable's value counts (a `limit`, a list's length)."""
    fixed = _FIXED_COSTS.get(document, (schema, operation_name), lambda: _fixed_cost(schema, document, operation_name))
    return fixed if fixed is not None else _count(schema, document, operation_name, variables or {})[0]


def _fixed_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> int | None:
    cost, read_variables = _count(schema, document, operation_name, {})
    return None if read_variables else cost


def _count(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
) -> tuple[int, bool]:
    """The operation's cost under `variables`, and whether any of their values counted."""
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return 0, False
    counter = _CostCounter(schema, document, operation, variables)
    return counter.selections(operation.selection_set, root, DEFAULT_LIMIT), counter.read_variables
