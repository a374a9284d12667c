"""People: create, read, list, update and delete contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator
from sqlalchemy import ColumnElement, Select, func, literal, or_, select, union_all

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import LeadSource, PersonStatus
from winnerr.db.models import Person
from winnerr.db.scope import TenantScope
from winnerr.db.search import TextSearch
from winnerr.resolvers import records
from winnerr.resolvers.joined import reader
from winnerr.resolvers.pagination import Page, page_request, paginate
from winnerr.resolvers.querying import SortDirection, check_range, order, where_given
from winnerr.resolvers.validation import (
    CustomFields,
    Email,
    Name,
    Percent,
    Phone,
    Required100,
    Rules,
    State,
    Tags,
    Text50,
    Text100,
    Text200,
    ZipCode,
    partial,
    validate,
)

ENTITY = "Person"
DEFAULT_SUGGESTIONS = 10
MAX_SUGGESTIONS = 20


class PersonRules(Rules):
    first_name: Name
    last_name: Name
    email: Email | None = None
    phone: Phone | None = None
    address: Text200 | None = None
    city: Text100 | None = None
    state: State | None = None
    zip_code: ZipCode | None = None
    source: LeadSource | None = None
    status: PersonStatus = PersonStatus.PROSPECT
    last_contact_at: datetime | None = None
    tags: Tags = Field(default_factory=list)
    custom_fields: CustomFields = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _without_lead_score(cls, data: Any) -> Any:
        """`leadScore` in an input is deprecated and ignored: the score is computed (`winnerr.db.lead_scores`)."""
        if isinstance(data, dict) and "lead_score" in data:
            return {name: value for name, value in data.items() if name != "lead_score"}
        return data


PersonPatchRules = partial(PersonRules)


class PersonFilterRules(Rules):
    status: list[PersonStatus] | None = None
    source: list[LeadSource] | None = None
    city: Text100 | None = None
    state: Text50 | None = None
    tags: Tags | None = None
    min_lead_score: Percent | None = None
    max_lead_score: Percent | None = None
    contacted_after: datetime | None = None
    contacted_before: datetime | None = None

    @model_validator(mode="after")
    def _ranges(self) -> PersonFilterRules:
        check_range(self.min_lead_score, self.max_lead_score, "minLeadScore", "maxLeadScore")
        check_range(self.contacted_after, self.contacted_before, "contactedAfter", "contactedBefore")
        return self


class SearchRules(Rules):
    search: Text200 | None = None


class PersonSortField(StrEnum):
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"
    LAST_CONTACT_AT = "LAST_CONTACT_AT"
    LEAD_SCORE = "LEAD_SCORE"


SORT_COLUMNS = {
    PersonSortField.NAME: Person.last_name,
    PersonSortField.CREATED_AT: Person.created_at,
    PersonSortField.LAST_CONTACT_AT: Person.last_contact_at,
    PersonSortField.LEAD_SCORE: Person.lead_score,
}


async def get_person(ctx: Context, person_id: str) -> Person:
    return await records.read(ctx, Person, person_id, ENTITY)


async def list_people(
    ctx: Context,
    *,
    search: str | None,
    filters: dict[str, Any],
    sort: tuple[PersonSortField, SortDirection] | None,
    page: int | None,
    limit: int | None,
) -> Page[Person]:
    ctx.principal.require(Permission.READ)
    request = page_request(page, limit)
    return await paginate(reader(ctx, Person), people_query(ctx.scope, search, filters, sort), request)


def people_query(
    scope: TenantScope, search: str | None, filters: dict[str, Any], sort: tuple[PersonSortField, SortDirection] | None
) -> Select[Person]:
    """The organization's people matching a search and filters (validated), in order: shared by the
    `people` query and the CSV export."""
    rules = validate(PersonFilterRules, filters, at="filter")
    query = _filtered(scope.select(Person), rules)
    text_search = TextSearch.of(Person.search_vector, validate(SearchRules, {"search": search}, at=None).search)
    if text_search is not None:
        query = query.where(text_search.condition)
    return _sorted(query, sort, text_search)


def _sorted(
    query: Select[Person], sort: tuple[PersonSortField, SortDirection] | None, text_search: TextSearch | None
) -> Select[Person]:
    """The requested order; without one, by relevance when searching, else newest first."""
    if sort is None and text_search is not None:
        return query.order_by(text_search.rank.desc(), Person.id)
    field, direction = sort or (PersonSortField.CREATED_AT, SortDirection.DESC)
    if field is PersonSortField.NAME:
        return order(order(query, Person.last_name, direction, None), Person.first_name, direction, Person.id)
    return order(query, SORT_COLUMNS[field], direction, Person.id)


def _filtered(query: Select[Person], rules: PersonFilterRules) -> Select[Person]:
    return where_given(
        query,
        rules.status and Person.status.in_(rules.status),
        rules.source and Person.source.in_(rules.source),
        rules.city and func.lower(Person.city) == func.lower(rules.city),
        rules.state and func.lower(Person.state) == func.lower(rules.state),
        rules.tags and Person.tags.overlap(rules.tags),
        rules.min_lead_score is not None and Person.lead_score >= rules.min_lead_score,
        rules.max_lead_score is not None and Person.lead_score <= rules.max_lead_score,
        rules.contacted_after and Person.last_contact_at >= rules.contacted_after,
        rules.contacted_before and Person.last_contact_at <= rules.contacted_before,
    )


async def create_person(ctx: Context, data: dict[str, Any]) -> Person:
    return await records.create_valid(ctx, Person, PersonRules, data)


async def update_person(ctx: Context, person_id: str, data: dict[str, Any]) -> Person:
    return await records.update_valid(ctx, Person, PersonPatchRules, person_id, data, ENTITY)


async def delete_person(ctx: Context, person_id: str) -> uuid.UUID:
    return await records.delete(ctx, Person, person_id, ENTITY)


class SuggestRules(Rules):
    prefix: Required100
    limit: Annotated[int, Field(ge=1, le=MAX_SUGGESTIONS)] = DEFAULT_SUGGESTIONS


def _prefix_keys() -> tuple[ColumnElement[str], ...]:
    """What suggestions match by prefix, each the expression of a b-tree index on (organization_id, it, id):
    the full name (so its first name too), the last name, the e-mail. Lower-cased, in code point order
    (COLLATE "C"), so that a prefix is one index range, read in order."""
    return tuple(
        func.lower(column).collate("C") for column in (Person.name_expression(), Person.last_name, Person.email)
    )


def _after_prefix(text: str) -> str | None:
    """The least string after every string starting with `text` in code point order (None: no bound).
    A range with this bound stays an index range in a generic plan, where `LIKE $1` would not."""
    if ord(text[-1]) >= 0x10FFFF:
        return None
    return text[:-1] + chr(ord(text[-1]) + 1)


async def suggest_people(ctx: Context, prefix: str, limit: int | None) -> list[Person]:
    """Autocomplete over names and e-mails: word prefixes first (full name, then last name, then e-mail, each
    alphabetically), then, to fill the list, typo-tolerant matches (pg_trgm) ranked by trigram word
    similarity, so "jenifer" still finds "Jennifer".

    The prefixes are read in order from b-tree indexes, a few entries whatever the number of people; the
    trigram query, whose cost grows with the number of similar people, runs only when they are too few."""
    ctx.principal.require(Permission.READ)
    given = {"prefix": prefix} | ({} if limit is None else {"limit": limit})
    rules = validate(SuggestRules, given, at=None)
    text = rules.prefix.lower()
    upper = _after_prefix(text)
    branches = [
        select(Person.id, literal(tier).label("tier"), key.label("key"))
        .where(ctx.scope.where(Person), key >= text, *([key < upper] if upper else []))
        .order_by(key, Person.id)
        .limit(rules.limit)
        for tier, key in enumerate(_prefix_keys())
    ]
    hits = union_all(*branches).subquery("hits")
    best = (
        select(hits.c.id, func.min(hits.c.tier).label("tier"), func.min(hits.c.key).label("key"))
        .group_by(hits.c.id)
        .subquery("best")
    )
    query = ctx.scope.select(Person).join(best, best.c.id == Person.id).order_by(best.c.tier, best.c.key, Person.id)
    found = await ctx.scope.rows(query.limit(rules.limit))
    if len(found) < rules.limit and await ctx.database.has_trigrams():
        name, email = Person.name_expression().self_group(), func.lower(Person.email)
        similar = or_(*(literal(text).op("<%", is_comparison=True)(column) for column in (name, email)))
        score = func.greatest(func.word_similarity(text, name), func.coalesce(func.word_similarity(text, email), 0))
        query = ctx.scope.select(Person).where(similar).order_by(score.desc(), Person.id)
        if found:
            query = query.where(Person.id.not_in([person.id for person in found]))
        found += await ctx.scope.rows(query.limit(rules.limit - len(found)))
    return found
