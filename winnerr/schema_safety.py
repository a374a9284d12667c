"""Schema change safety: what a new `schema.graphql` breaks for clients of the last released one.

`schema/released.graphql` is the SDL of the last release (copied from `schema.graphql` when releasing). graphql-core's
`find_breaking_changes` lists what clients written against it may now get refused (a field removed, a type changed,
a required argument added) and `find_dangerous_changes` what may change their answers (an enum value or a default
added). A breaking change is allowed only when `CHANGELOG.md`'s "## Unreleased" section states it, word for word
as the check prints it, so clients learn of it before they meet it. Deprecations carry a reason of their own.
`tests/test_schema_safety.py` runs the check on the committed files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)
from graphql.type.directives import DEFAULT_DEPRECATION_REASON

__all__ = ["SchemaReport", "check_repository", "compare", "unreleased_notes", "vague_deprecations"]

UNRELEASED = re.compile(r"^## Unreleased\s*$(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class SchemaReport:
    """The outcome of comparing a schema with the released one."""

    breaking: list[str]
    """Breaking changes (graphql-core's descriptions) not stated in the changelog's Unreleased section."""
    dangerous: list[str]
    """Changes that may alter existing clients' answers; reported, not refused."""
    vague_deprecations: list[str]
    """Coordinates of deprecated fields, arguments, input fields and enum values without a reason of their own."""

    @property
    def ok(self) -> bool:
        return not self.breaking and not self.vague_deprecations

    def explain(self) -> str:
        lines = []
        if self.breaking:
            lines.append("Breaking changes against schema/released.graphql that CHANGELOG.md's Unreleased section")
            lines.append("does not state (add each line there, or keep the schema compatible):")
            lines += [f"- {change}" for change in self.breaking]
        if self.vague_deprecations:
            lines.append("Deprecated without a reason (give @deprecated(reason: ...) saying what to use instead):")
            lines += [f"- {where}" for where in self.vague_deprecations]
        return "\n".join(lines)


def unreleased_notes(changelog: str) -> str:
    """The text of the changelog's "## Unreleased" section ("" when it has none)."""
    match = UNRELEASED.search(changelog)
    return match.group(1) if match else ""


def vague_deprecations(schema: GraphQLSchema) -> list[str]:
    """Schema coordinates deprecated with no reason, or only graphql's default one ("No longer supported")."""
    vague: list[str] = []

    def check(where: str, reason: str | None) -> None:
        if reason is not None and reason.strip() in {"", DEFAULT_DEPRECATION_REASON}:
            vague.append(where)

    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                check(f"{name}.{field_name}", field.deprecation_reason)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name}:)", arg.deprecation_reason)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                check(f"{name}.{field_name}", input_field.deprecation_reason)
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                check(f"{name}.{value_name}", value.deprecation_reason)
    return vague


def compare(released_sdl: str, current_sdl: str, changelog: str) -> SchemaReport:
    """What `current_sdl` changes for clients of `released_sdl`, less the breaking changes `changelog` states."""
    released, current = build_schema(released_sdl), build_schema(current_sdl)
    notes = unreleased_notes(changelog)
    return SchemaReport(
        breaking=[
            change.description for change in find_breaking_changes(released, current) if change.description not in notes
        ],
        dangerous=[change.description for change in find_dangerous_changes(released, current)],
        vague_deprecations=vague_deprecations(current),
    )


def check_repository(root: Path) -> SchemaReport:
    """Compare the repository's `schema.graphql` with its `schema/released.graphql`, reading its `CHANGELOG.md`."""
    return compare(
        (root / "schema" / "released.graphql").read_text(encoding="utf-8"),
        (root / "schema.graphql").read_text(encoding="utf-8"),
        (root / "CHANGELOG.md").read_text(encoding="utf-8"),
    )
