"""The contract's list shape: `{ items, pagination { page limit total totalPages hasNextPage hasPreviousPage } }`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from winnerr.resolvers.pagination import Page as RowPage

T = TypeVar("T")


@strawberry.type
class Pagination:
    page: int
    limit: int
    total: int
    total_pages: int
    has_next_page: bool
    has_previous_page: bool


@strawberry.type
class Page(Generic[T]):
    items: list[T]
    pagination: Pagination

    @classmethod
    def of(cls, page: RowPage[Any], show: Callable[[Any], T]) -> Page[T]:
        """The GraphQL page of a resolver's `Page`, each row shown with `show`."""
        return cls(
            items=[show(row) for row in page.items],
            pagination=Pagination(
                page=page.page,
                limit=page.limit,
                total=page.total,
                total_pages=page.total_pages,
                has_next_page=page.page < page.total_pages,
                has_previous_page=page.page > 1,
            ),
        )
