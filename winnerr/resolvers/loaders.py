"""DataLoaders for every relationship, made fresh per request and always scoped to the organization.

Loading the person, property, deals, tasks or counts of N rows costs one statement per relationship,
whatever N is. A `Relation` (a person's deals, tasks or communications, a property's deals) is read a page
at a time for all its keys at once: one statement for the pages, one for the totals.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from winnerr.db.models import (
    Communication,
    Deal,
    DealFavorite,
    Membership,
    Person,
    Pipeline,
    PipelineStage,
    Property,
    SmsConsent,
    Task,
    User,
)
from winnerr.db.scope import TenantScope

Row = TypeVar("Row")
Key = TypeVar("Key")
Value = TypeVar("Value")


class SharedLoader(DataLoader[Key, Value]):
    """A DataLoader whose loads several fields may await at once (the same key, or the same batch). When an
    error nulls a field's parent, graphql-core cancels the fields still pending under it: each awaiter gets its
    own shield, so that cancels its wait, never the load the others share."""

    def load(self, key: Key) -> Awaitable[Value]:
        return asyncio.shield(super().load(key))


@dataclass(frozen=True, eq=False)
class Relation:
    """The rows of `model` whose column `key` is a given row's id, in `order`; only those matching `where`
    (made when the rows are read, e.g. for "now") when it is given. Compared by identity: declare each once."""

    model: type[Any]
    key: Any
    order: tuple[Any, ...]
    where: Callable[[], ColumnElement[bool]] | None = None

    def conditions(self, scope: TenantScope, keys: list[uuid.UUID]) -> list[ColumnElement[bool]]:
        found = [scope.where(self.model), self.key.in_(keys)]
        return found if self.where is None else [*found, self.where()]


PERSON_DEALS = Relation(Deal, Deal.person_id, (Deal.created_at.desc(), Deal.id))
PROPERTY_DEALS = Relation(Deal, Deal.property_id, (Deal.created_at.desc(), Deal.id))
PERSON_COMMUNICATIONS = Relation(
    Communication, Communication.person_id, (Communication.occurred_at.desc(), Communication.id)
)
PERSON_TASKS = Relation(Task, Task.person_id, (Task.due_at.asc().nulls_last(), Task.created_at, Task.id))
STAGES_OF_PIPELINE = Relation(PipelineStage, PipelineStage.pipeline_id, (PipelineStage.position,))
MAX_STAGES = 20
"""Stages are only made with their pipeline (the default has 7); a pipeline shows at most this many."""


class Loaders:
    """The request's DataLoaders, each made when first used (most requests use one or two)."""

    def __init__(self, scope: TenantScope) -> None:
        self.scope = scope
        self.read_ahead: dict[tuple[type[Any], uuid.UUID], Any] = {}
        """Rows read with others' statements, by (model, id): a deal's person read in its join
        (`winnerr.resolvers.joined`)."""
        self._favorites: dict[uuid.UUID, DataLoader[uuid.UUID, bool]] = {}
        self._pages: dict[tuple[Relation, int, int], DataLoader[uuid.UUID, list[Any]]] = {}
        self._totals: dict[Relation, DataLoader[uuid.UUID, int]] = {}

    @cached_property
    def person(self) -> DataLoader[uuid.UUID, Person | None]:
        return self._by_id(Person)

    @cached_property
    def property(self) -> DataLoader[uuid.UUID, Property | None]:
        return self._by_id(Property)

    @cached_property
    def deal(self) -> DataLoader[uuid.UUID, Deal | None]:
        return self._by_id(Deal)

    @cached_property
    def pipeline(self) -> DataLoader[uuid.UUID, Pipeline | None]:
        return self._by_id(Pipeline)

    @cached_property
    def sms_consent(self) -> DataLoader[uuid.UUID, SmsConsent | None]:
        return self._by_id(SmsConsent)

    @cached_property
    def stage(self) -> DataLoader[uuid.UUID, PipelineStage | None]:
        return self._by_id(PipelineStage)

    @cached_property
    def member(self) -> DataLoader[uuid.UUID, User | None]:
        return self._members()

    @cached_property
    def stages_by_pipeline(self) -> DataLoader[uuid.UUID, list[Any]]:
        return self._windowed(STAGES_OF_PIPELINE, 0, MAX_STAGES)

    def page_of(self, relation: Relation, offset: int, limit: int) -> DataLoader[uuid.UUID, list[Any]]:
        """Rows `offset` to `offset + limit` of each key's rows of `relation`, all keys in one statement."""
        if (relation, offset, limit) not in self._pages:
            self._pages[relation, offset, limit] = self._windowed(relation, offset, limit)
        return self._pages[relation, offset, limit]

    def total_of(self, relation: Relation) -> DataLoader[uuid.UUID, int]:
        """How many rows of `relation` each key has, all keys in one statement."""
        if relation not in self._totals:
            self._totals[relation] = self._counted(relation)
        return self._totals[relation]

    def favorite_deals_of(self, user_id: uuid.UUID) -> DataLoader[uuid.UUID, bool]:
        """Whether each deal (by id) is among the favorites of the member `user_id`."""
        if user_id not in self._favorites:
            self._favorites[user_id] = self._favorite_deals(user_id)
        return self._favorites[user_id]

    def _by_id(self, model: type[Row]) -> DataLoader[uuid.UUID, Row | None]:
        async def load(ids: list[uuid.UUID]) -> Sequence[Row | None]:
            rows = await self.scope.find_many(model, ids)
            return [rows.get(row_id) for row_id in ids]

        return SharedLoader(load_fn=load)

    def _members(self) -> DataLoader[uuid.UUID, User | None]:
        """Users by id, but only those who are members of the organization (users are not tenant rows)."""

        async def load(ids: list[uuid.UUID]) -> Sequence[User | None]:
            query = (
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(self.scope.where(Membership), User.id.in_(ids))
            )
            users = {user.id: user for user in await self.scope.rows(query)}
            return [users.get(user_id) for user_id in ids]

        return SharedLoader(load_fn=load)

    def _windowed(self, relation: Relation, offset: int, limit: int) -> DataLoader[uuid.UUID, list[Any]]:
        """Rows `offset` to `offset + limit` of each key's group, numbered in order by a window function."""
        model, key = relation.model, relation.key

        async def load(keys: list[uuid.UUID]) -> Sequence[list[Any]]:
            position = func.row_number().over(partition_by=key, order_by=relation.order).label("window_position")
            numbered = select(model, position).where(*relation.conditions(self.scope, keys)).subquery()
            row = aliased(model, numbered)
            query = (
                select(row)
                .where(numbered.c.window_position > offset, numbered.c.window_position <= offset + limit)
                .order_by(numbered.c.window_position)
            )
            groups: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for found in await self.scope.rows(query):
                groups[getattr(found, key.key)].append(found)
            return [groups[k] for k in keys]

        return SharedLoader(load_fn=load)

    def _counted(self, relation: Relation) -> DataLoader[uuid.UUID, int]:
        """How many rows each key has: one `GROUP BY key` statement for all keys."""

        async def load(keys: list[uuid.UUID]) -> Sequence[int]:
            key = relation.key
            query = select(key, func.count()).where(*relation.conditions(self.scope, keys)).group_by(key)
            rows: Sequence[Any] = (await self.scope.execute(query)).all()
            counts: dict[uuid.UUID, int] = dict(rows)
            return [counts.get(k, 0) for k in keys]

        return SharedLoader(load_fn=load)

    def _favorite_deals(self, user_id: uuid.UUID) -> DataLoader[uuid.UUID, bool]:
        async def load(deal_ids: list[uuid.UUID]) -> Sequence[bool]:
            query = select(DealFavorite.deal_id).where(
                self.scope.where(DealFavorite), DealFavorite.user_id == user_id, DealFavorite.deal_id.in_(deal_ids)
            )
            favorites = set(await self.scope.rows(query))
            return [deal_id in favorites for deal_id in deal_ids]

        return SharedLoader(load_fn=load)
