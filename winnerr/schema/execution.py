"""The executor of every operation: graphql-core's, as Strawberry and the subscriptions set it up, with shorter
ways for the commonest fields of a list: plain attributes, and relations read by a resolver without arguments.

Most of a list's fields (a deal's title, amount, status; its person's names) are columns: no resolver, no
arguments, a scalar or enum type. For each, graphql-core builds a path and a resolve info, Strawberry calls
through its basic-field wrapper to read the attribute, and graphql-core completes the value through the general
`complete_value`: most of the time of a 100-item list (bench/RESULTS.md). Here

- what each field of a selection is (`Plan`) is decided once per execution, not once per object: the grouped
  field set of a list's items is one object for all of them (graphql-core memoizes `collect_subfields`);
- a selection whose fields no directive or fragment variable can change (`_fixed`: the commonest, no `@skip`,
  `@include` or `@defer` in it) is collected once for all requests, with its plan (`FixedSelection`): it
  depends on the document and the type alone, and parsed documents are shared by every request asking the
  same text (`CachedParse`);
- a plain field (a leaf, or a list of non-null leaves) is read with the same resolver Strawberry would use and
  serialized by the same leaf type, in one loop per object (`execute_fields`), and so is `__typename`;
- a field whose Strawberry resolver takes nothing but its object, `info` and arguments of built-in scalar types
  (a deal's person; `deal(id:)`) is called with the same Strawberry `Info` and the same arguments Strawberry
  would give it, without its generic argument conversion (which leaves such values as they are) and extension
  chain, which such a field does not use (`DirectResolver`);
- an object of an object type is completed by its sub-fields without the general `complete_value`'s checks
  for lists, leaves and abstract types (`complete_value`).

Anything else (a null for a non-null field, a value the type refuses, arguments, field extensions, exception
handlers, field middleware, incremental delivery) takes the general way, so answers and errors are those of
graphql-core.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    SelectionSetNode,
    TypeNameMetaFieldDef,
    is_leaf_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, FragmentDetails, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from strawberry import ID
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

from winnerr.recent import Recent
from winnerr.schema.live.execution import PerEventExecutionContext


@dataclass(frozen=True, slots=True)
class PlainField:
    """A field whose value is an attribute of its source, shown as a scalar or enum or a list of them: `read`
    is Strawberry's default resolver for its attribute, `coerce` its type's output coercion (Undefined or None
    when the general way must tell what is wrong)."""

    read: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    nullable: bool


@dataclass(frozen=True, slots=True)
class DirectResolver:
    """A field whose Strawberry resolver takes its object (as `self`), `info` and arguments of built-in scalar
    types only (`PLAIN_ARGUMENTS`), with no field extensions and no exception handlers. Strawberry would build
    an `Info` of `info_class`, keep each argument's value as it is under its Python name (`names`: GraphQL
    name to Python name), chain no extensions and call the resolver with the object, that `Info` and those
    arguments (an async one's coroutine awaited in a coroutine of its own); so does `resolve`, the coroutine
    given to graphql-core to await."""

    field: GraphQLField
    definition: StrawberryField
    call: Callable[..., Any]
    info_class: type[Any]
    takes_self: bool
    info_name: str | None
    names: tuple[tuple[str, str], ...]

    def resolve(self, source: Any, info: GraphQLResolveInfo[Any], arguments: dict[str, Any]) -> Any:
        args = (source,) if self.takes_self else ()
        kwargs = {python: arguments[name] for name, python in self.names if name in arguments}
        if self.info_name is not None:
            kwargs[self.info_name] = self.info_class(_raw_info=info, _field=self.definition)
        return self.call(*args, **kwargs)


Shortcut = PlainField | DirectResolver

_SHORTCUTS: dict[int, tuple[GraphQLField, Shortcut | None]] = {}
"""Each schema field (by identity; the field itself is kept, so its id is never reused) and its shorter way."""

STRAWBERRY_RESOLVERS = frozenset(
    f"GraphQLCoreConverter.from_resolver.<locals>.{name}" for name in ("_resolver", "_async_resolver")
)
"""The qualified names of the resolvers Strawberry makes for a field with a resolver of its own."""

PLAIN_ARGUMENTS: frozenset[object] = frozenset({str, int, float, bool, ID})
"""The argument types whose values Strawberry's `convert_argument` gives the resolver as graphql-core coerced
them (alone, or optional)."""

Plan = tuple[tuple[str, FieldDetailsList, PlainField | None], ...]
"""A grouped field set's fields in response order: name, field details, and how to read it if it is plain."""


def shortcut(schema: GraphQLSchema, field: GraphQLField) -> Shortcut | None:
    """The shorter way `field` is executed, if it has one (see the module's docstring); else None."""
    known = _SHORTCUTS.get(id(field))
    if known is None or known[0] is not field:
        known = _SHORTCUTS[id(field)] = (field, _plain(field) or _direct(schema, field))
    return known[1]


def _strawberry_field(field: GraphQLField, *, arguments: bool = False) -> StrawberryField | None:
    """The field's Strawberry definition; unless `arguments`, only for a field without any."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    plain = arguments or not field.args
    return definition if isinstance(definition, StrawberryField) and plain else None


def _plain(field: GraphQLField) -> PlainField | None:
    definition = _strawberry_field(field)
    basic = getattr(field.resolve, "_is_default", False)
    if definition is None or not basic or not definition.is_basic_field:
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    shown = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    item = (
        shown.of_type.of_type if isinstance(shown, GraphQLList) and isinstance(shown.of_type, GraphQLNonNull) else None
    )
    if is_leaf_type(shown):
        coerce = shown.coerce_output_value
    elif item is not None and is_leaf_type(item):
        coerce = _each(item.coerce_output_value)
    else:
        return None
    if definition.default_resolver is None:
        return None
    return PlainField(_reader(definition.default_resolver, definition.python_name), coerce, nullable)


def _each(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The coercion of a list of non-null leaves, as graphql-core completes a Python list of them; Undefined
    when an item is null or refused, for the general way to tell."""

    def coerce_each(value: Any) -> Any:
        if type(value) is not list:
            return Undefined
        coerced = []
        for item in value:
            shown = None if item is None else coerce(item)
            if shown is None or shown is Undefined:
                return Undefined
            coerced.append(shown)
        return coerced

    return coerce_each


def _reader(resolver: Callable[[Any, str], Any], name: str) -> Callable[[Any], Any]:
    """`resolver` for the attribute `name`: Strawberry's default, `getattr`, as the same lookup in C."""
    if resolver is getattr:
        return attrgetter(name)
    return lambda source: resolver(source, name)


def _direct(schema: GraphQLSchema, field: GraphQLField) -> DirectResolver | None:
    """Only for the resolver Strawberry 0.341's `GraphQLCoreConverter.from_resolver` made for the field's own
    definition, and only when that resolver would take its fastest way (no exception handler can apply)."""
    definition = _strawberry_field(field, arguments=True)
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    made_by_strawberry = getattr(field.resolve, "__qualname__", "") in STRAWBERRY_RESOLVERS
    if definition is None or strawberry_schema is None or not made_by_strawberry:
        return None
    resolver = definition.base_resolver
    converter: GraphQLCoreConverter = strawberry_schema.schema_converter
    handlers = getattr(converter, "_get_field_exception_handlers", None)  # gone in another Strawberry: no shortcut
    if resolver is None or handlers is None or handlers(definition) or not _simple(definition, resolver):
        return None
    call = resolver.wrapped_func
    if not callable(call):
        return None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    takes_self = resolver.self_parameter is not None
    config = strawberry_schema.config
    names = tuple((config.name_converter.from_argument(a), a.python_name) for a in definition.arguments)
    return DirectResolver(field, definition, call, config.info_class, takes_self, info_name, names)


def _simple(definition: StrawberryField, resolver: StrawberryResolver[Any]) -> bool:
    """Whether Strawberry calls `resolver` with its object, info and plain arguments only, with nothing in
    between: no field extensions, no root or parent parameter, no subscription or async generator."""
    reserved = [p for p in (resolver.self_parameter, resolver.info_parameter) if p is not None]
    arguments = definition.arguments
    takes_only_those = len(resolver.signature.parameters) == len(reserved) + len(arguments)
    plain = all(_plain_argument(argument.type) for argument in arguments)
    generator = inspect.isasyncgenfunction(resolver.wrapped_func) or inspect.isgeneratorfunction(resolver.wrapped_func)
    return (
        not definition.extensions
        and takes_only_those
        and plain
        and not definition.is_subscription
        and not generator
        and resolver.root_parameter is None
        and resolver.parent_parameter is None
    )


def _plain_argument(argument_type: Any) -> bool:
    """Whether `convert_argument` gives a value of `argument_type` to the resolver as it is."""
    if type(argument_type) is StrawberryOptional:
        argument_type = argument_type.of_type
    try:
        return argument_type in PLAIN_ARGUMENTS
    except TypeError:  # not hashable: not one of them
        return False


def _type_name(parent_type: GraphQLObjectType) -> PlainField:
    """`__typename` of `parent_type`'s objects: what graphql-core's resolver for it answers, the type's name."""
    name = parent_type.name
    return PlainField(lambda _source: name, GraphQLString.coerce_output_value, nullable=False)


@dataclass(frozen=True, slots=True)
class FixedSelection:
    """The sub-fields of `nodes` (the field nodes of one response key, kept so their ids are not reused) on
    objects of `parent_type`, collected once for every request (`collected`, with its `plan`); `collected` is
    None when a directive or fragment variable may change them from one request to the next (`_fixed`), or
    they were first reached in a deferred fragment."""

    nodes: tuple[FieldNode, ...]
    parent_type: GraphQLObjectType
    collected: GroupedFieldSet | None
    plan: Plan

    def fits(self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> bool:
        """Whether these are the sub-fields of `field_details_list` on `parent_type`: the same nodes, reached
        outside any deferred fragment and any fragment's variables."""
        nodes = self.nodes
        if len(nodes) == 1 == len(field_details_list):
            details = field_details_list[0]
            return (
                parent_type is self.parent_type
                and details.node is nodes[0]
                and details.defer_usage is None
                and details.fragment_variable_values is None
            )
        return (
            parent_type is self.parent_type
            and len(nodes) == len(field_details_list)
            and all(
                details.node is node and details.defer_usage is None and details.fragment_variable_values is None
                for node, details in zip(nodes, field_details_list, strict=True)
            )
        )


FIXED_KEPT = 2048
"""Selections remembered across requests: a few per document of the parse cache (`DOCUMENT_CACHE_SIZE`)."""
_FIXED: Recent[tuple[Any, ...], FixedSelection] = Recent(FIXED_KEPT)


def _fixed(selection_set: SelectionSetNode, fragments: dict[str, FragmentDetails], seen: set[str]) -> bool:
    """Whether the fields collected from `selection_set` (through its fragments) are the same whatever the
    variables: no selection in it has a directive (`@skip`, `@include`, `@defer`, or any other), and no
    fragment it spreads takes variables."""
    for selection in selection_set.selections:
        if selection.directives:
            return False
        if isinstance(selection, InlineFragmentNode):
            if not _fixed(selection.selection_set, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or fragment.variable_signatures or getattr(selection, "arguments", None):
                return False
            if name not in seen:
                seen.add(name)
                if fragment.definition.directives or not _fixed(fragment.definition.selection_set, fragments, seen):
                    return False
    return True


def _merged(results: dict[str, Any], general: GroupedFieldSet, done: dict[str, Any]) -> dict[str, Any]:
    """`results` (in response order, general fields held by a placeholder) with the general fields' answers;
    a field graphql-core left out (one its parent type does not have) is left out here too."""
    results.update(done)
    if len(done) != len(general):
        for name in general.keys() - done.keys():
            del results[name]
    return results


async def _merged_later(
    results: dict[str, Any], general: GroupedFieldSet, done: Awaitable[dict[str, Any]]
) -> dict[str, Any]:
    return _merged(results, general, await done)


class WinnerrExecutionContext(PerEventExecutionContext):
    """See the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[GroupedFieldSet, GraphQLObjectType, Plan]] = {}
        """Each grouped field set of this execution (kept, so its id is not reused) and its plan."""
        manager = self.middleware_manager
        self._wrapped = manager is not None and bool(manager.middlewares)
        """Whether field middleware wraps every resolver: then every field takes the general way."""

    def build_per_event_executor(self, payload: Any) -> PerEventExecutionContext:
        """Each event collects its own grouped field sets (`PerEventExecutionContext`), so it gets its own plans:
        the subscription's would otherwise grow by an event's sets at every event."""
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, WinnerrExecutionContext)
        executor._plans = {}
        return executor

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        """graphql-core's, memoized as it memoizes them for the objects of a list, but a selection that no
        variable can change is collected once for all requests (`FixedSelection`), and its plan with it."""
        memo = getattr(self, "_relevant_sub_fields", None)  # graphql-core's own memo; without it, none
        key = (return_type, id(field_details_list))
        cached = memo.get(key) if memo is not None else None
        if cached is not None and cached[0] is field_details_list:
            collected: CollectedFields = cached[1]
            return collected
        collected = self._collected(return_type, field_details_list)
        if memo is not None:
            memo[key] = (field_details_list, collected)
        return collected

    def _collected(self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> CollectedFields:
        if len(field_details_list) == 1:
            key: tuple[Any, ...] = (return_type, id(field_details_list[0].node))
        else:
            key = (return_type, *(id(details.node) for details in field_details_list))
        fixed = _FIXED.find(key)
        if fixed is None:
            fixed = _FIXED.get(key, lambda: self._collect_fixed(return_type, field_details_list))
        if fixed.collected is None or not fixed.fits(return_type, field_details_list):
            return super().collect_subfields(return_type, field_details_list)
        self._plans[id(fixed.collected)] = (fixed.collected, return_type, fixed.plan)
        return CollectedFields(fixed.collected, [], [])

    def _collect_fixed(self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> FixedSelection:
        """The `FixedSelection` of these fields, its `collected` None if variables may change them, or if they
        are reached inside a deferred fragment or a fragment's variables (kept so: such a document is not
        collected once)."""
        nodes = tuple(details.node for details in field_details_list)
        seen: set[str] = set()
        reached_plainly = all(d.defer_usage is None and d.fragment_variable_values is None for d in field_details_list)
        fixed = all(node.selection_set is None or _fixed(node.selection_set, self.fragments, seen) for node in nodes)
        if not reached_plainly or not fixed:
            return FixedSelection(nodes, return_type, None, ())
        grouped_field_set = super().collect_subfields(return_type, field_details_list).grouped_field_set
        collected = dict(grouped_field_set)
        return FixedSelection(nodes, return_type, collected, self._planned(return_type, collected))

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan:
        known = self._plans.get(id(grouped_field_set))
        if known is None or known[0] is not grouped_field_set or known[1] is not parent_type:
            plan = self._planned(parent_type, grouped_field_set)
            known = self._plans[id(grouped_field_set)] = (grouped_field_set, parent_type, plan)
        return known[2]

    def _planned(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan:
        return tuple((name, fields, self._plain_in(parent_type, fields)) for name, fields in grouped_field_set.items())

    def _plain_in(self, parent_type: GraphQLObjectType, fields: FieldDetailsList) -> PlainField | None:
        node = fields[0].node
        definition = self.schema.get_field(parent_type, node.name.value)
        if definition is None or node.arguments or any(d.name.value == "stream" for d in node.directives or ()):
            return None
        if definition is TypeNameMetaFieldDef:
            return _type_name(parent_type)
        found = shortcut(self.schema, definition)
        return found if isinstance(found, PlainField) else None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """Plain fields are answered here, in one loop; the others, and a plain one whose value needs the
        general way (a null for a non-null field, a value its type refuses or coerces to null, an attribute that
        cannot be read), are executed by graphql-core's `execute_fields`, in their order, their answers put
        back in the response's order. Plain fields answered here have no awaitables and raise nothing, so
        graphql-core's handling of awaitables and of errors that null the parent is that of the other fields
        alone, as it would be."""
        if position_context is not None or self._wrapped:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        general: GroupedFieldSet | None = None
        for name, fields, plain in self._plan(parent_type, grouped_field_set):
            if plain is not None:
                try:
                    value = plain.read(source_value)
                    if value is None:
                        answer = None if plain.nullable else Undefined
                    else:
                        answer = plain.coerce(value)
                        answer = Undefined if answer is None else answer
                except Exception:  # told by the general way below, as graphql-core tells it
                    answer = Undefined
                if answer is not Undefined:
                    results[name] = answer
                    continue
            results[name] = None
            if general is None:
                general = {}
            general[name] = fields
        if general is None:
            return results
        if len(general) == len(grouped_field_set):  # nothing answered here: graphql-core's answer as it is
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        done = super().execute_fields(parent_type, source_value, path, general, position_context)
        if isinstance(done, dict):
            return _merged(results, general, done)
        return _merged_later(results, general, done)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        definition = self.schema.get_field(parent_type, node.name.value)
        found = None if definition is None or self._wrapped else shortcut(self.schema, definition)
        if isinstance(found, DirectResolver):
            return self._execute_direct(found, parent_type, source, field_details_list, path, position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """An object (not null, not an error) of an object type (or its non-null) without `is_type_of` is
        completed by its sub-fields at once, as graphql-core's `complete_value` and `complete_object_value`
        come to after their checks; anything else by them."""
        inner = return_type.of_type if type(return_type) is GraphQLNonNull else return_type
        if (
            type(inner) is GraphQLObjectType
            and inner.is_type_of is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            return self.collect_and_execute_subfields(inner, field_details_list, path, result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _execute_direct(
        self,
        direct: DirectResolver,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field` with `direct.resolve` for Strawberry's resolver: the same resolve
        info, completion and error handling, by the same methods."""
        return_type = direct.field.type
        info = self.build_resolve_info(direct.field, to_nodes(field_details_list), parent_type, path)
        try:
            details = field_details_list[0]
            arguments = (
                get_argument_values(
                    direct.field,
                    details.node,
                    self.variable_values,
                    details.fragment_variable_values,
                    self.hide_suggestions,
                )
                if direct.field.args or details.node.arguments
                else {}
            )
            result = direct.resolve(source, info, arguments)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(return_type, field_details_list, info, path, result, position_context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._completed_later(completed, direct.field, field_details_list, path)
        return completed

    async def _completed_later(
        self, completed: Awaitable[Any], field: GraphQLField, field_details_list: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.type, field_details_list, path)
            return None
