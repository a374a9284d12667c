"""The executor of every operation: graphql-core's, as Strawberry and the subscriptions set it up, with shorter
ways for the commonest fields of a list: plain attributes, and relations read by a resolver without arguments.

Most of a list's fields (a deal's title, amount, status; its person's names) are columns: no resolver, no
arguments, a scalar or enum type. For each, graphql-core builds a path and a resolve info, Strawberry calls
through its basic-field wrapper to read the attribute, and graphql-core completes the value through the general
`complete_value`: most of the time of a 100-item list (bench/RESULTS.md). Here

- what each field of a selection is (`Plan`) is decided once per execution, not once per object: the grouped
  field set of a list's items is one object for all of them (graphql-core memoizes `collect_subfields`);
- a plain field (a leaf, or a list of non-null leaves) is read with the same resolver Strawberry would use and
  serialized by the same leaf type, in one loop per object (`execute_fields`), and so is `__typename`;
- a field whose Strawberry resolver takes nothing but its object and `info` (a deal's person) is called with
  the same Strawberry `Info` Strawberry would build, without its argument conversion and extension chain,
  which such a field does not use (`DirectResolver`);
- an object of an object type is completed by its sub-fields without the general `complete_value`'s checks
  for lists, leaves and abstract types (`complete_value`).

Anything else (a null for a non-null field, a value the type refuses, arguments, field extensions, exception
handlers, field middleware, incremental delivery) takes the general way, so answers and errors are those of
graphql-core.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    TypeNameMetaFieldDef,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

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
    """A field whose Strawberry resolver takes its object (as `self`) and `info` only: no arguments, no field
    extensions, no exception handlers, not async. Strawberry would build an `Info` of `info_class`, convert no
    arguments, chain no extensions and call the resolver with the object and that `Info`; so does `resolve`."""

    field: GraphQLField
    definition: StrawberryField
    call: Callable[..., Any]
    info_class: type[Any]
    takes_self: bool
    info_name: str | None

    def resolve(self, source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        args = (source,) if self.takes_self else ()
        if self.info_name is None:
            return self.call(*args)
        return self.call(*args, **{self.info_name: self.info_class(_raw_info=info, _field=self.definition)})


Shortcut = PlainField | DirectResolver

_SHORTCUTS: dict[int, tuple[GraphQLField, Shortcut | None]] = {}
"""Each schema field (by identity; the field itself is kept, so its id is never reused) and its shorter way."""

STRAWBERRY_RESOLVER = "GraphQLCoreConverter.from_resolver.<locals>._resolver"
"""The qualified name of the resolver Strawberry makes for a field with a resolver of its own, not async."""

Plan = tuple[tuple[str, FieldDetailsList, PlainField | None], ...]
"""A grouped field set's fields in response order: name, field details, and how to read it if it is plain."""


def shortcut(schema: GraphQLSchema, field: GraphQLField) -> Shortcut | None:
    """The shorter way `field` is executed, if it has one (see the module's docstring); else None."""
    known = _SHORTCUTS.get(id(field))
    if known is None or known[0] is not field:
        known = _SHORTCUTS[id(field)] = (field, _plain(field) or _direct(schema, field))
    return known[1]


def _strawberry_field(field: GraphQLField) -> StrawberryField | None:
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return definition if isinstance(definition, StrawberryField) and not field.args else None


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
    definition = _strawberry_field(field)
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    made_by_strawberry = getattr(field.resolve, "__qualname__", "") == STRAWBERRY_RESOLVER
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
    info_class = strawberry_schema.config.info_class
    return DirectResolver(field, definition, call, info_class, takes_self, info_name)


def _simple(definition: StrawberryField, resolver: StrawberryResolver[Any]) -> bool:
    """Whether Strawberry calls `resolver` with its object and info only, with nothing in between."""
    reserved = [p for p in (resolver.self_parameter, resolver.info_parameter) if p is not None]
    takes_only_those = len(resolver.signature.parameters) == len(reserved)
    return not definition.extensions and not definition.arguments and takes_only_those and not definition.is_async


def _type_name(parent_type: GraphQLObjectType) -> PlainField:
    """`__typename` of `parent_type`'s objects: what graphql-core's resolver for it answers, the type's name."""
    name = parent_type.name
    return PlainField(lambda _source: name, GraphQLString.coerce_output_value, nullable=False)


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

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan:
        known = self._plans.get(id(grouped_field_set))
        if known is None or known[0] is not grouped_field_set or known[1] is not parent_type:
            plan = tuple(
                (name, fields, self._plain_in(parent_type, fields)) for name, fields in grouped_field_set.items()
            )
            known = self._plans[id(grouped_field_set)] = (grouped_field_set, parent_type, plan)
        return known[2]

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
        found = None if definition is None or node.arguments or self._wrapped else shortcut(self.schema, definition)
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
            result = direct.resolve(source, info)
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
