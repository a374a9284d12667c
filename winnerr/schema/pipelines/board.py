"""The `PipelineBoard` type: a pipeline's stages as columns of deals with their totals."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from winnerr.resolvers import board
from winnerr.schema.deals.types import Deal
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.pipelines.types import Pipeline, PipelineStage


@strawberry.type(description="One stage of the board: its deals (paged, newest first) and their totals.")
class BoardColumn:
    stage: PipelineStage = strawberry.field(description="The stage this column shows.")
    count: int = strawberry.field(description="All deals in the stage.")
    total_amount: Decimal = strawberry.field(
        description="Sum of the amounts of all deals in the stage, in the organization's currency, as a decimal "
        "string like \"450000.00\"."
    )
    weighted_amount: Decimal = strawberry.field(description="Sum of amount × the deal's probability.")
    deals: Page[Deal] = strawberry.field(
        description="This page of the stage's deals, newest first (the board's page and limit)."
    )

    @classmethod
    def of(cls, column: board.BoardColumn) -> BoardColumn:
        return cls(
            stage=from_row(PipelineStage, column.stage),
            count=column.count,
            total_amount=column.total_amount,
            weighted_amount=column.weighted_amount,
            deals=Page.of(column.deals, lambda row: from_row(Deal, row)),
        )


@strawberry.type(description="A pipeline as a kanban board: one column per stage, in order.")
class PipelineBoard:
    pipeline: Pipeline = strawberry.field(description="The pipeline shown.")
    columns: list[BoardColumn] = strawberry.field(description="One per stage, in stage order (at most 20).")

    @classmethod
    def of(cls, result: board.Board) -> PipelineBoard:
        return cls(pipeline=from_row(Pipeline, result.pipeline), columns=[BoardColumn.of(c) for c in result.columns])

