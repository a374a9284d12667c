"""What follows from a parsed document alone, kept per document object.

`CachedParse` gives every request with the same text the same `DocumentNode`, so what depends on that document
only (its validation errors; its requested cost when no variable changes it) is worked out once and found again
by the document's identity. Not by its hash: graphql-core's nodes are frozen dataclasses, hashed over the whole
tree on every lookup. Each entry keeps its document alive, so an identity is never reused while its entry stands.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from graphql import DocumentNode
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from winnerr.recent import Recent

V = TypeVar("V")

DOCUMENTS_KEPT = 2048
"""Entries per memo: twice the parse cache's documents (`DOCUMENT_CACHE_SIZE`), as a document of several
operations has an entry for each operation asked for."""


class PerDocument(Generic[V]):
    """A bounded memo by (document, key), the least recently used entry dropped first."""

    def __init__(self, size: int = DOCUMENTS_KEPT) -> None:
        self.entries: Recent[tuple[int, Hashable], tuple[DocumentNode, V]] = Recent(size)

    def get(self, document: DocumentNode, key: Hashable, make: Callable[[], V]) -> V:
        """The value for the document and key, made by `make` the first time."""
        return self.entries.get((id(document), key), lambda: (document, make()))[1]


class KnownOperation(ExecutionContext):
    """Strawberry's execution context, with the operation's name and type worked out once per document. The
    extensions ask for them some ten times an operation, and Strawberry's properties look through the document's
    definitions (and build the `OperationType`) every time. Either depends only on the document (an object that is
    not changed, but may be replaced: an entry is for one document) and the name the request gave."""

    _known_name: tuple[DocumentNode | None, str | None] | None = None
    _known_type: tuple[DocumentNode, OperationType] | None = None

    @property
    def operation_name(self) -> str | None:
        document, known = self.graphql_document, self._known_name
        if known is not None and known[0] is document:
            return known[1]
        name = super().operation_name
        self._known_name = (document, name)
        return name

    @property
    def operation_type(self) -> OperationType:
        document, known = self.graphql_document, self._known_type
        if known is not None and known[0] is document:
            return known[1]
        kind = super().operation_type  # raises for a document without the operation: nothing is kept then
        assert document is not None
        self._known_type = (document, kind)
        return kind
