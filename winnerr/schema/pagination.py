"""The contract's list shape: `{ items, pagination { page limit total totalPages hasNextPage hasPreviousPage } }`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from winnerr.resolvers.pagination import Page as RowPage
from winnerr.resolvers.pagination import Total

T = TypeVar("T")


@strawberry.type(description="Where a page stands in its list.")
class Pagination:
    page: int = strawberry.field(description="This page's number, from 1.")
    limit: int = strawberry.field(description="Items per page, 1–100, as asked (default 20).")
    counted: strawberry.Private[Total]

    @strawberry.field(description="Items in the whole list, over every page.")
    async def total(self) -> int:
        return await self.counted.get()

    @strawberry.field(description="How many pages the list has at this limit (0 for an empty list).")
    async def total_pages(self) -> int:
        return await self._total_pages()

    @strawberry.field(description="Whether page + 1 has items.")
    async def has_next_page(self) -> bool:
        return self.page < await self._total_pages()

    async def _total_pages(self) -> int:
        return -(-await self.counted.get() // self.limit)

    @strawberry.field(description="Whether this is not the first page.")
    def has_previous_page(self) -> bool:
        return self.page > 1


@strawberry.type(description="One page of a list: at most `limit` items, and where the page stands.")
class Page(Generic[T]):
    items: list[T] = strawberry.field(description="This page's items, in the list's order.")
    pagination: Pagination = strawberry.field(description="Page number, limit, totals and whether more pages exist.")

    @classmethod
    def of(cls, page: RowPage[Any], show: Callable[[Any], T]) -> Page[T]:
        """The GraphQL page of a resolver's `Page`, each row shown with `show`."""
        return cls(
            items=[show(row) for row in page.items],
            pagination=Pagination(page=page.page, limit=page.limit, counted=page.total),
        )
