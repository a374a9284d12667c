"""Pages of rows: the contract's `page`/`limit` (1–100, default 20) and the totals clients show, for a query
(`paginate`) or for a relation of many rows at once (`page_of_relation`, batched by DataLoaders).

A page's `Total` is counted only when asked for (`pagination { total totalPages hasNextPage }`), at most once,
and not at all when the page itself shows it: a first page with fewer rows than its limit holds them all."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import Field
from sqlalchemy import Select

from winnerr.resolvers.loaders import Loaders, Relation
from winnerr.resolvers.validation import Rules, validate

Row = TypeVar("Row")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageRequest(Rules):
    page: Annotated[int, Field(ge=1)] = 1
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def page_request(page: int | None, limit: int | None) -> PageRequest:
    given = {name: value for name, value in (("page", page), ("limit", limit)) if value is not None}
    return validate(PageRequest, given, at=None)


class Total:
    """How many rows the whole list has: counted on the first ask, then remembered (or known from the start)."""

    def __init__(self, count: Callable[[], Awaitable[int]] | int) -> None:
        self._count = count
        self._value = count if isinstance(count, int) else None
        self._lock = asyncio.Lock()

    async def get(self) -> int:
        if self._value is None:
            async with self._lock:  # `total`, `totalPages` and `hasNextPage` ask at once: one count
                if self._value is None:
                    assert not isinstance(self._count, int)
                    self._value = await self._count()
        return self._value


@dataclass(frozen=True, slots=True)
class Page(Generic[Row]):
    items: list[Row]
    page: int
    limit: int
    total: Total


def total_of_page(items: list[Any], request: PageRequest, count: Callable[[], Awaitable[int]]) -> Total:
    """The list's total: known when a first page has room left (it holds every row), else counted when asked."""
    if request.offset == 0 and len(items) < request.limit:
        return Total(len(items))
    return Total(count)


class Reads(Protocol):
    """What reads a list's rows and counts them: a `TenantScope` (ORM rows, on its session), or the readers of
    `winnerr.resolvers.joined` (plain rows, on the read pool)."""

    async def rows(self, query: Select[Any]) -> list[Any]: ...

    async def count(self, query: Select[Any]) -> int: ...


async def paginate(reads: Reads, query: Select[Row], request: PageRequest) -> Page[Any]:
    """One statement for the page's rows; one for the total if it is asked for and the page does not tell it."""
    items = await reads.rows(query.limit(request.limit).offset(request.offset))
    return Page(items, request.page, request.limit, total_of_page(items, request, lambda: reads.count(query)))


async def page_of_relation(
    loaders: Loaders, relation: Relation, key: uuid.UUID, page: int | None, limit: int | None
) -> Page[Any]:
    """A page of one row's `relation` (a person's deals…); every key of the request shares one statement for
    the pages, and one for the totals if they are asked for."""
    request = page_request(page, limit)
    items = await loaders.page_of(relation, request.offset, request.limit).load(key)
    total = total_of_page(items, request, lambda: loaders.total_of(relation).load(key))
    return Page(items, request.page, request.limit, total)
