"""Every type, field, argument, enum value and input field of the schema tells a frontend developer what it
means: a description that is there, and that says more than its name.

A description "repeats the name" when every word of it, apart from a few filler words, is a word of the name or of
the type it belongs to: "The person's first name." on `Person.firstName` says nothing `firstName` did not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    is_specified_scalar_type,
)

from winnerr.schema import schema

FILLER = {"a", "an", "the", "of", "its", "it", "is", "this", "s", "for", "to", "id"}


def words(text: str) -> set[str]:
    """The lower-case words of a name (camelCase, snake_case, SCREAMING_CASE) or of a sentence."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return {word.lower() for word in re.findall(r"[A-Za-z0-9]+", spaced)}


def repeats(description: str, *names: str) -> bool:
    said = words(description) - FILLER
    return said <= set().union(*(words(name) for name in names))


def described(schema: GraphQLSchema) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """Each (where, description, names it must say more than) of the schema's own elements."""
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or is_specified_scalar_type(type_):
            continue
        yield type_.name, type_.description, (type_.name,)
        yield from _members(type_)


def _members(type_: GraphQLNamedType) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    if isinstance(type_, GraphQLEnumType):
        for name, value in type_.values.items():
            yield f"{type_.name}.{name}", value.description, (type_.name, name)
    if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        for name, field in type_.fields.items():
            yield f"{type_.name}.{name}", field.description, (type_.name, name)
            for argument, value in getattr(field, "args", {}).items():
                yield f"{type_.name}.{name}({argument})", value.description, (name, argument)


def test_every_element_of_the_schema_is_described() -> None:
    missing = [where for where, description, _ in described(schema._schema) if not (description or "").strip()]
    assert not missing, f"{len(missing)} without a description: {missing}"


def test_no_description_merely_repeats_its_name() -> None:
    repeating = [
        f"{where}: {description!r}"
        for where, description, names in described(schema._schema)
        if description and repeats(description, *names)
    ]
    assert not repeating, f"{len(repeating)} descriptions that only repeat their name: {repeating}"


def test_repeating_a_name_is_told_apart_from_saying_more() -> None:
    assert repeats("The person's first name.", "Person", "firstName")
    assert repeats("ID", "Deal", "id")
    assert not repeats("Given name, 1–50 characters.", "Person", "firstName")
    assert not repeats("Deal amount in the organization's currency, a decimal string.", "Deal", "amount")
