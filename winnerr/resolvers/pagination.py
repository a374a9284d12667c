"""Pages of rows: the contract's `page`/`limit` (1–100, default 20) and the totals clients show, for a query
(`paginate`) or for a relation of many rows at once (`page_of_relation`, batched by DataLoaders)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field
from sqlalchemy import Select

from winnerr.db.scope import TenantScope
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


async def page_of_relation(
    loaders: Loaders, relation: Relation, key: uuid.UUID, page: int | None, limit: int | None
) -> Page[Any]:
    """A page of one row's `relation` (a person's deals…); every key of the request shares two statements."""
    request = page_request(page, limit)
    items = await loaders.page_of(relation, request.offset, request.limit).load(key)
    total = await loaders.total_of(relation).load(key)
    return Page(items, request.page, request.limit, total)
