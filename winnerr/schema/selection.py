"""What a query selects below the field being resolved: for resolvers that read ahead what their children need."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator

from graphql import FieldNode
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from winnerr.schema.types import Info

MAX_REMEMBERED = 1024
Where = tuple[tuple[int, ...], tuple[str, ...]]
_REMEMBERED: dict[Where, tuple[tuple[FieldNode, ...], frozenset[str]]] = {}
"""Answers by (the resolved field's nodes, `path`): a selection depends on the document alone, and parsed
documents are shared by every request asking the same text (`CachedParse`). The nodes are kept with their answer,
so their ids are not reused while remembered; at `MAX_REMEMBERED` (as many as the parsed documents kept,
`winnerr.schema.DOCUMENT_CACHE_SIZE`) all are forgotten."""


def selected_names(info: Info, *path: str) -> frozenset[str]:
    """The names of the fields selected below the resolved field at `path` (e.g. `("items",)` for a page's
    items), through fragments. `@skip` and `@include` are not evaluated: a field they leave out is still named,
    so a resolver reading ahead may read a little more than is shown, never less."""
    nodes = info._raw_info.field_nodes
    key = (tuple(map(id, nodes)), path)
    remembered = _REMEMBERED.get(key)
    if remembered is not None and all(map(operator.is_, remembered[0], nodes)):
        return remembered[1]
    if len(_REMEMBERED) >= MAX_REMEMBERED:
        _REMEMBERED.clear()
    names = _selected_names(info, path)
    _REMEMBERED[key] = (tuple(nodes), names)
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
