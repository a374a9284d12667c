"""DataLoaders for every relationship, made fresh per request and always scoped to the organization.

Loading the person, property, deals, tasks or counts of N rows costs one statement per relationship,
whatever N is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
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
    Task,
    User,
)
from winnerr.db.scope import TenantScope

Row = TypeVar("Row")


class Loaders:
    def __init__(self, scope: TenantScope) -> None:
        self.scope = scope
        self.person = self._by_id(Person)
        self.property = self._by_id(Property)
        self.deal = self._by_id(Deal)
        self.pipeline = self._by_id(Pipeline)
        self.stage = self._by_id(PipelineStage)
        self.member = self._members()
        self.deals_by_person = self._grouped(Deal, Deal.person_id, Deal.created_at.desc())
        self.deals_by_property = self._grouped(Deal, Deal.property_id, Deal.created_at.desc())
        self.stages_by_pipeline = self._grouped(PipelineStage, PipelineStage.pipeline_id, PipelineStage.position)
        self.tasks_by_person = self._grouped(
            Task, Task.person_id, Task.due_at.asc().nulls_last(), Task.created_at, Task.id
        )
        self.deal_count_by_person = self._counted(Deal, Deal.person_id)
        self.task_count_by_person = self._counted(Task, Task.person_id)
        self.communication_count_by_person = self._counted(Communication, Communication.person_id)
        self._favorites: dict[uuid.UUID, DataLoader[uuid.UUID, bool]] = {}
        self._communication_pages: dict[tuple[int, int], DataLoader[uuid.UUID, list[Communication]]] = {}

    def communications_of_people(self, offset: int, limit: int) -> DataLoader[uuid.UUID, list[Communication]]:
        """One page (newest first) of each person's communications, all in one statement."""
        if (offset, limit) not in self._communication_pages:
            order = (Communication.occurred_at.desc(), Communication.id)
            loader = self._windowed(Communication, Communication.person_id, order, offset, limit)
            self._communication_pages[offset, limit] = loader
        return self._communication_pages[offset, limit]

    def favorite_deals_of(self, user_id: uuid.UUID) -> DataLoader[uuid.UUID, bool]:
        """Whether each deal (by id) is among the favorites of the member `user_id`."""
        if user_id not in self._favorites:
            self._favorites[user_id] = self._favorite_deals(user_id)
        return self._favorites[user_id]

    def _by_id(self, model: type[Row]) -> DataLoader[uuid.UUID, Row | None]:
        async def load(ids: list[uuid.UUID]) -> Sequence[Row | None]:
            rows = await self.scope.find_many(model, ids)
            return [rows.get(row_id) for row_id in ids]

        return DataLoader(load_fn=load)

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

        return DataLoader(load_fn=load)

    def _grouped(self, model: type[Row], key: Any, *order: Any) -> DataLoader[uuid.UUID, list[Row]]:
        async def load(keys: list[uuid.UUID]) -> Sequence[list[Row]]:
            query = self.scope.select(model).where(key.in_(keys)).order_by(*order)
            groups: dict[uuid.UUID, list[Row]] = defaultdict(list)
            for row in await self.scope.rows(query):
                groups[getattr(row, key.key)].append(row)
            return [groups[k] for k in keys]

        return DataLoader(load_fn=load)

    def _windowed(
        self, model: type[Row], key: Any, order: tuple[Any, ...], offset: int, limit: int
    ) -> DataLoader[uuid.UUID, list[Row]]:
        """Rows `offset` to `offset + limit` of each key's group, numbered in `order` by a window function."""

        async def load(keys: list[uuid.UUID]) -> Sequence[list[Row]]:
            position = func.row_number().over(partition_by=key, order_by=order).label("position")
            numbered = select(model, position).where(self.scope.where(model), key.in_(keys)).subquery()
            row = aliased(model, numbered)
            query = (
                select(row)
                .where(numbered.c.position > offset, numbered.c.position <= offset + limit)
                .order_by(numbered.c.position)
            )
            groups: dict[uuid.UUID, list[Row]] = defaultdict(list)
            for found in await self.scope.rows(query):
                groups[getattr(found, key.key)].append(found)
            return [groups[k] for k in keys]

        return DataLoader(load_fn=load)

    def _counted(self, model: type[Any], key: Any) -> DataLoader[uuid.UUID, int]:
        """How many rows of `model` each key has: one `GROUP BY key` statement for all keys."""

        async def load(keys: list[uuid.UUID]) -> Sequence[int]:
            query = select(key, func.count()).where(self.scope.where(model), key.in_(keys)).group_by(key)
            rows: Sequence[Any] = (await self.scope.execute(query)).all()
            counts: dict[uuid.UUID, int] = dict(rows)
            return [counts.get(k, 0) for k in keys]

        return DataLoader(load_fn=load)

    def _favorite_deals(self, user_id: uuid.UUID) -> DataLoader[uuid.UUID, bool]:
        async def load(deal_ids: list[uuid.UUID]) -> Sequence[bool]:
            query = select(DealFavorite.deal_id).where(
                self.scope.where(DealFavorite), DealFavorite.user_id == user_id, DealFavorite.deal_id.in_(deal_ids)
            )
            favorites = set(await self.scope.rows(query))
            return [deal_id in favorites for deal_id in deal_ids]

        return DataLoader(load_fn=load)
