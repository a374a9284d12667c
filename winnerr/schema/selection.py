"""What a query selects below the field being resolved: for resolvers that read ahead what their children need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from winnerr.schema.types import Info


def selected_names(info: Info, *path: str) -> frozenset[str]:
    """The names of the fields selected below the resolved field at `path` (e.g. `("items",)` for a page's
    items), through fragments. `@skip` and `@include` are not evaluated: a field they leave out is still named,
    so a resolver reading ahead may read a little more than is shown, never less."""
    selections = [child for field in _fields(info.selected_fields) for child in field.selections]
    for name in path:
        selections = [child for field in _fields(selections) if field.name == name for child in field.selections]
    return frozenset(field.name for field in _fields(selections))


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)
