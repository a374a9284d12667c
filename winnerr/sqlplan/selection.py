"""Which fields an operation selects, read from the validated graphql-core document.

`collect` groups a selection set's fields by response key through fragments and `@skip`/`@include`, as
graphql-core's executor does, and says whether each field is one the compiler takes (`Fallback` when not).
Without variables (`variables=None`) every conditional field counts as selected: that is the static check whose
verdict is cached per document (`winnerr.sqlplan.extension`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_directive_values
from strawberry.types.field import StrawberryField

from winnerr.schema.mapping import COLUMNS_ATTRIBUTE, MODEL_ATTRIBUTE

TYPENAME = "__typename"
CONDITIONS = {GraphQLSkipDirective.name: True, GraphQLIncludeDirective.name: False}
"""The directives a compiled selection may carry, and which value of their `if` leaves the field out."""


class Fallback(Exception):
    """The operation is not compiled: the resolver path answers all of it."""


@dataclass
class Selected:
    """One response key of a selection set: the field it shows, the nodes that ask for it (they share
    arguments, as validation requires) and, for an object, the fields selected under it."""

    key: str
    name: str
    parent: GraphQLObjectType
    field: GraphQLField | None  # None for __typename
    nodes: list[FieldNode]
    children: list[Selected]

    @property
    def coordinate(self) -> str:
        return f"{self.parent.name}.{self.name}"

    @property
    def python_name(self) -> str:
        definition = self.field.extensions.get("strawberry-definition") if self.field else None
        return definition.python_name if isinstance(definition, StrawberryField) else self.name

    @property
    def has_resolver(self) -> bool:
        definition = self.field.extensions.get("strawberry-definition") if self.field else None
        return isinstance(definition, StrawberryField) and definition.base_resolver is not None


def origin_of(type_: GraphQLObjectType) -> type[Any] | None:
    definition = type_.extensions.get("strawberry-definition")
    origin: type[Any] | None = getattr(definition, "origin", None)
    return origin


def model_of_type(type_: GraphQLObjectType) -> type[Any] | None:
    """The model a `@mapped` type shows, or None."""
    origin = origin_of(type_)
    return getattr(origin, MODEL_ATTRIBUTE, None) if origin is not None else None


def column_fields(type_: GraphQLObjectType) -> tuple[str, ...]:
    """The Python names of a `@mapped` type's fields that are columns (private ones included)."""
    origin = origin_of(type_)
    columns: tuple[str, ...] = getattr(origin, COLUMNS_ATTRIBUTE, ()) if origin is not None else ()
    return columns


class Collector:
    """Collects selections of one operation under its variables (None: every conditional field is in)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def collect(self, parent: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]) -> list[Selected]:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._group(parent, selection_set, grouped, set())
        return [self._selected(parent, key, nodes) for key, nodes in grouped.items()]

    def _group(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode, grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                grouped.setdefault((selection.alias or selection.name).value, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._matches(condition.name.value, parent):
                    self._group(parent, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in visited:
                visited.add(selection.name.value)
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    raise Fallback(f"unknown fragment {selection.name.value}")
                if self._matches(fragment.type_condition.name.value, parent):
                    self._group(parent, fragment.selection_set, grouped, visited)

    def _matches(self, condition: str, parent: GraphQLObjectType) -> bool:
        type_ = self.schema.get_type(condition)
        if type_ is parent:
            return True
        return is_abstract_type(type_) and self.schema.is_sub_type(type_, parent)

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode | Any) -> bool:
        for directive in node.directives or ():
            if directive.name.value not in CONDITIONS:
                raise Fallback(f"directive @{directive.name.value}")
        if self.variables is None:
            return True
        for directive, leave_out_when in ((GraphQLSkipDirective, True), (GraphQLIncludeDirective, False)):
            values = get_directive_values(directive, node, self.variables)
            if values is not None and values["if"] is leave_out_when:
                return False
        return True

    def _selected(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> Selected:
        name = nodes[0].name.value
        if name == TYPENAME:
            return Selected(key, name, parent, None, nodes, [])
        field = parent.fields.get(name)
        if field is None:
            raise Fallback(f"unknown field {parent.name}.{name}")
        named = get_named_type(field.type)
        children: list[Selected] = []
        if not is_leaf_type(named):
            if not isinstance(named, GraphQLObjectType):
                raise Fallback(f"{parent.name}.{name} is abstract")
            children = self.collect(named, [node.selection_set for node in nodes if node.selection_set])
        return Selected(key, name, parent, field, nodes, children)
