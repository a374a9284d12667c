"""What a query selects below the field being resolved: for resolvers that read ahead what their children need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import OperationDefinitionNode
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from winnerr.schema.types import Info

MAX_REMEMBERED = 1024
Where = tuple[int, tuple[str | int, ...], tuple[str, ...]]
_REMEMBERED: dict[Where, tuple[OperationDefinitionNode, frozenset[str]]] = {}
"""Answers by (operation, the field's response path without list indices, `path`): a selection depends on the
document alone, and parsed documents are shared by every request asking the same text (`CachedParse`). The
operation is kept with its answer, so its id is not reused while remembered; at `MAX_REMEMBERED` (as many as
the parsed documents kept, `winnerr.schema.DOCUMENT_CACHE_SIZE`) all are forgotten."""


def selected_names(info: Info, *path: str) -> frozenset[str]:
    """The names of the fields selected below the resolved field at `path` (e.g. `("items",)` for a page's
    items), through fragments. `@skip` and `@include` are not evaluated: a field they leave out is still named,
    so a resolver reading ahead may read a little more than is shown, never less."""
    operation = info.operation
    key = (id(operation), tuple(key for key in info.path.as_list() if isinstance(key, str)), path)
    remembered = _REMEMBERED.get(key)
    if remembered is not None and remembered[0] is operation:
        return remembered[1]
    if len(_REMEMBERED) >= MAX_REMEMBERED:
        _REMEMBERED.clear()
    names = _selected_names(info, path)
    _REMEMBERED[key] = (operation, names)
    return names


def _selected_names(info: Info, path: tuple[str, ...]) -> frozenset[str]:
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
