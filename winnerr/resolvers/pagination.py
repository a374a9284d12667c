"""Pages of rows: the contract's `page`/`limit` (1–100, default 20) and the totals clients show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from pydantic import Field
from sqlalchemy import Select

from winnerr.db.scope import TenantScope
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


@dataclass(frozen=True, slots=True)
class Page(Generic[Row]):
    items: list[Row]
    page: int
    limit: int
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.limit)


async def paginate(scope: TenantScope, query: Select[Row], request: PageRequest) -> Page[Row]:
    """One statement for the page's rows and one for the total."""
    total = await scope.count(query)
    items = await scope.rows(query.limit(request.limit).offset(request.offset))
    return Page(items, request.page, request.limit, total)
