"""The pipeline board: each stage in order with its deals (paged), count, total and weighted amount.

One statement per board: the stages, LATERAL-joined to their totals and to their page of deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import aliased

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.models import Deal, Pipeline, PipelineStage
from winnerr.resolvers import records
from winnerr.resolvers.pagination import Page, PageRequest, Total, page_request


@dataclass(frozen=True, slots=True)
class BoardColumn:
    stage: PipelineStage
    count: int
    total_amount: Decimal
    weighted_amount: Decimal
    deals: Page[Deal]


@dataclass(frozen=True, slots=True)
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]


async def pipeline_board(ctx: Context, pipeline_id: str, page: int | None, limit: int | None) -> Board:
    """`page` and `limit` page each stage's deals (newest first); totals always cover all of a stage's deals.
    The weighted amount is the sum of amount × the deal's probability."""
    ctx.principal.require(Permission.READ)
    request = page_request(page, limit)
    pipeline = await records.fetch(ctx, Pipeline, pipeline_id, "Pipeline")
    rows = (await ctx.scope.execute(_board_query(ctx, pipeline, request))).all()
    columns = [_column(stage, list(group), request) for stage, group in groupby(rows, key=lambda row: row[0])]
    return Board(pipeline, columns)


def _board_query(ctx: Context, pipeline: Pipeline, request: PageRequest) -> Any:
    in_stage = (ctx.scope.where(Deal), Deal.stage_id == PipelineStage.id)
    totals = (
        select(
            func.count(Deal.id).label("count"),
            func.coalesce(func.sum(Deal.amount), 0).label("total"),
            func.coalesce(func.round(func.sum(Deal.amount * Deal.probability / 100), 2), 0).label("weighted"),
        )
        .where(*in_stage)
        .lateral("totals")
    )
    page_of_deals = (
        select(Deal)
        .where(*in_stage)
        .order_by(Deal.created_at.desc(), Deal.id)
        .limit(request.limit)
        .offset(request.offset)
        .lateral("page_of_deals")
    )
    deal = aliased(Deal, page_of_deals)
    return (
        select(PipelineStage, totals.c.count, totals.c.total, totals.c.weighted, deal)
        .select_from(PipelineStage)
        .join(totals, true())
        .outerjoin(page_of_deals, true())
        .where(ctx.scope.where(PipelineStage), PipelineStage.pipeline_id == pipeline.id)
        .order_by(PipelineStage.position, deal.created_at.desc(), deal.id)
    )


def _column(stage: PipelineStage, rows: list[Any], request: PageRequest) -> BoardColumn:
    _, count, total, weighted, _ = rows[0]
    deals = [row[4] for row in rows if row[4] is not None]
    return BoardColumn(
        stage, count, Decimal(total), Decimal(weighted), Page(deals, request.page, request.limit, Total(count))
    )
