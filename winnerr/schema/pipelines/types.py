"""The `Pipeline` and `PipelineStage` types."""

from __future__ import annotations

import uuid

import strawberry

from winnerr.db import models
from winnerr.schema.enums import DealStatus
from winnerr.schema.mapping import from_rows, key_of, mapped
from winnerr.schema.types import Info


@mapped(models.PipelineStage)
@strawberry.type(description="A step of a pipeline; a deal in it has the stage's probability of closing.")
class PipelineStage:
    id: strawberry.ID
    name: str
    position: int
    probability: int
    closes_as: DealStatus | None = strawberry.field(
        description="WON or LOST for the stages that close a deal; null for open stages."
    )
    pipeline_id: strawberry.Private[uuid.UUID]


@mapped(models.Pipeline)
@strawberry.type(description="An ordered set of stages that deals move through.")
class Pipeline:
    id: strawberry.ID
    name: str
    is_default: bool

    @strawberry.field(description="In order; at most 20 (stages are made only with their pipeline).")
    async def stages(self, info: Info) -> list[PipelineStage]:
        return from_rows(PipelineStage, await info.context.loaders.stages_by_pipeline.load(key_of(self.id)))
