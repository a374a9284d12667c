"""GraphQL names of Python ones, each converted once.

Strawberry converts an argument's Python name to its GraphQL name (snake_case to camelCase, with a regular
expression) every time it converts a resolver's arguments, i.e. for every argument of every field with a
resolver, on every request. A name's conversion never changes, and the schema's names are a fixed set.
"""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter


class KnownNames(NameConverter):
    """Strawberry's `NameConverter`, remembering each name it converted."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case)
        self._converted: dict[tuple[str, bool], str] = {}

    def apply_naming_config(self, name: str) -> str:
        key = (name, self.auto_camel_case)
        converted = self._converted.get(key)
        if converted is None:
            converted = self._converted[key] = super().apply_naming_config(name)
        return converted
