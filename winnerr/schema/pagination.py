"""The contract's list shape: `{ items, pagination { page limit total totalPages hasNextPage hasPreviousPage } }`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from winnerr.resolvers.pagination import Page as RowPage
from winnerr.resolvers.pagination import Total

T = TypeVar("T")


@strawberry.type
class Pagination:
    page: int
    limit: int
    counted: strawberry.Private[Total]

    @strawberry.field
    async def total(self) -> int:
        return await self.counted.get()

    @strawberry.field
    async def total_pages(self) -> int:
        return await self._total_pages()

    @strawberry.field
    async def has_next_page(self) -> bool:
        return self.page < await self._total_pages()

    async def _total_pages(self) -> int:
        return -(-await self.counted.get() // self.limit)

    @strawberry.field
    def has_previous_page(self) -> bool:
        return self.page > 1


@strawberry.type
class Page(Generic[T]):
    items: list[T]
    pagination: Pagination

    @classmethod
    def of(cls, page: RowPage[Any], show: Callable[[Any], T]) -> Page[T]:
        """The GraphQL page of a resolver's `Page`, each row shown with `show`."""
        return cls(
            items=[show(row) for row in page.items],
            pagination=Pagination(page=page.page, limit=page.limit, counted=page.total),
        )
