"""The executor of every operation: graphql-core's, as Strawberry and the subscriptions set it up, with a shorter
way for the commonest field of all, a plain attribute.

Most of a list's fields (a deal's title, amount, status; its person's names) are columns: no resolver, no
arguments, a scalar or enum type. For each, graphql-core builds a resolve info, Strawberry calls through its
basic-field wrapper to read the attribute, and graphql-core completes the value through the general
`complete_value`: most of the time of a 100-item list (bench/RESULTS.md). Here such a field is read with the
same resolver Strawberry would use and serialized by the same leaf type; anything else (a null for a non-null
field, a value the type refuses, a field with a resolver or arguments, field middleware) takes the general way,
so answers and errors are those of graphql-core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from winnerr.schema.live.execution import PerEventExecutionContext


@dataclass(frozen=True, slots=True)
class PlainField:
    """A field whose value is an attribute of its source, shown as a scalar or enum."""

    read: Callable[[Any, str], Any]
    name: str
    leaf: GraphQLLeafType
    nullable: bool


_PLAIN: dict[int, tuple[GraphQLField, PlainField | None]] = {}
"""Each schema field (by identity; the field itself is kept, so its id is never reused) and how it is read."""


def plain_field(field: GraphQLField) -> PlainField | None:
    """How `field` is read, if it is a plain attribute of a leaf type without arguments; else None."""
    known = _PLAIN.get(id(field))
    if known is None or known[0] is not field:
        known = _PLAIN[id(field)] = (field, _plain(field))
    return known[1]


def _plain(field: GraphQLField) -> PlainField | None:
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    basic = getattr(field.resolve, "_is_default", False)
    if not isinstance(definition, StrawberryField) or not basic or not definition.is_basic_field or field.args:
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf) or definition.default_resolver is None:
        return None
    return PlainField(definition.default_resolver, definition.python_name, leaf, nullable)


class WinnerrExecutionContext(PerEventExecutionContext):
    """See the module's docstring."""

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
        wrapped = self.middleware_manager is not None and self.middleware_manager.middlewares
        plain = None if definition is None or wrapped else plain_field(definition)
        if plain is not None and not node.arguments:
            value = plain.read(source, plain.name)
            if value is None and plain.nullable:
                return None
            if value is not None:
                try:
                    return self.complete_leaf_value(plain.leaf, value)
                except Exception:  # noqa: S110 - told by the general way below, as graphql-core tells it
                    pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
