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
    id: strawberry.ID = strawberry.field(
        description="Unique identifier (UUID); pass it to moveDealStage or createDeal's stageId."
    )
    name: str = strawberry.field(description="Its display name, e.g. \"Showing\" or \"Closed Won\".")
    position: int = strawberry.field(description="Its place in the pipeline, from 0, left to right.")
    probability: int = strawberry.field(
        description="Percent, 0–100: the chance of closing that a deal gets when it enters the stage."
    )
    closes_as: DealStatus | None = strawberry.field(
        description="WON or LOST for the stages that close a deal; null for open stages."
    )
    pipeline_id: strawberry.Private[uuid.UUID]


@mapped(models.Pipeline)
@strawberry.type(description="An ordered set of stages that deals move through.")
class Pipeline:
    id: strawberry.ID = strawberry.field(description="Unique identifier (UUID); pass it to pipelineBoard.")
    name: str = strawberry.field(description="Its display name, e.g. \"Sales\".")
    is_default: bool = strawberry.field(
        description="Whether new deals without a stageId start in this pipeline (exactly one is)."
    )

    @strawberry.field(description="In order; at most 20 (stages are made only with their pipeline).")
    async def stages(self, info: Info) -> list[PipelineStage]:
        return from_rows(PipelineStage, await info.context.loaders.stages_by_pipeline.load(key_of(self.id)))
