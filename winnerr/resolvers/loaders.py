"""DataLoaders for every relationship, made fresh per request and always scoped to the organization.

Loading the person, property or deals of N rows costs one statement per relationship, whatever N is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from winnerr.db.models import Deal, Person, Pipeline, PipelineStage, Property
from winnerr.db.scope import TenantScope

Row = TypeVar("Row")

class Loaders:
    def __init__(self, scope: TenantScope) -> None:
        self.scope = scope
        self.person = self._by_id(Person)
        self.property = self._by_id(Property)
        self.pipeline = self._by_id(Pipeline)
        self.stage = self._by_id(PipelineStage)
        self.deals_by_person = self._grouped(Deal, Deal.person_id, Deal.created_at.desc())
        self.deals_by_property = self._grouped(Deal, Deal.property_id, Deal.created_at.desc())
        self.stages_by_pipeline = self._grouped(PipelineStage, PipelineStage.pipeline_id, PipelineStage.position)

    def _by_id(self, model: type[Row]) -> DataLoader[uuid.UUID, Row | None]:
        async def load(ids: list[uuid.UUID]) -> Sequence[Row | None]:
            rows = await self.scope.find_many(model, ids)
            return [rows.get(row_id) for row_id in ids]

        return DataLoader(load_fn=load)

    def _grouped(self, model: type[Row], key: Any, order: Any) -> DataLoader[uuid.UUID, list[Row]]:
        async def load(keys: list[uuid.UUID]) -> Sequence[list[Row]]:
            query = self.scope.select(model).where(key.in_(keys)).order_by(order)
            groups: dict[uuid.UUID, list[Row]] = defaultdict(list)
            for row in await self.scope.rows(query):
                groups[getattr(row, key.key)].append(row)
            return [groups[k] for k in keys]

        return DataLoader(load_fn=load)

