"""Reading pipelines: `pipelines`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import board, pipelines
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.mapping import from_rows
from winnerr.schema.pipelines.board import PipelineBoard
from winnerr.schema.pipelines.types import Pipeline
from winnerr.schema.types import Info


@strawberry.type
class PipelinesQuery:
    @strawberry.field(description="Your organization's pipelines, the default one first.")
    async def pipelines(self, info: Info) -> list[Pipeline]:
        return from_rows(Pipeline, await pipelines.list_pipelines(info.context))

    @strawberry.field(
        description="A pipeline's stages in order, each with its deals (page/limit per stage, newest first), "
        "their count, total amount and probability-weighted amount; null (with NOT_FOUND) for an unknown pipeline."
    )
    async def pipeline_board(
        self,
        info: Info,
        pipeline_id: Annotated[strawberry.ID, strawberry.argument(description="Which pipeline to show (Pipeline.id).")],
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> PipelineBoard | None:
        return PipelineBoard.of(await board.pipeline_board(info.context, pipeline_id, page, limit))
