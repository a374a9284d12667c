"""Pipelines: each organization's sales stages, starting with the default one made with it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import DealStatus
from winnerr.db.models import Pipeline, PipelineStage
from winnerr.db.scope import TenantScope, tenant_join


@dataclass(frozen=True, slots=True)
class StageTemplate:
    name: str
    probability: int
    closes_as: DealStatus | None = None


DEFAULT_PIPELINE_NAME = "Sales"
MAX_PIPELINES = 20
"""Pipelines are only made with their organization; `pipelines` lists at most this many."""
DEFAULT_STAGES = (
    StageTemplate("New Lead", 10),
    StageTemplate("Contacted", 20),
    StageTemplate("Showing", 40),
    StageTemplate("Offer", 60),
    StageTemplate("Under Contract", 80),
    StageTemplate("Closed Won", 100, DealStatus.WON),
    StageTemplate("Closed Lost", 0, DealStatus.LOST),
)


async def add_default_pipeline(session: AsyncSession, organization_id: uuid.UUID) -> Pipeline:
    """Add the default pipeline and its stages to a new organization.

    Tables are flushed parent first: the models declare no ORM relationships (the loaders fetch related
    rows), so the unit of work cannot order the inserts by itself.
    """
    pipeline = Pipeline(id=uuid.uuid4(), organization_id=organization_id, name=DEFAULT_PIPELINE_NAME, is_default=True)
    session.add(pipeline)
    await session.flush()
    session.add_all(
        PipelineStage(
            organization_id=organization_id,
            pipeline_id=pipeline.id,
            name=stage.name,
            position=position,
            probability=stage.probability,
            closes_as=stage.closes_as,
        )
        for position, stage in enumerate(DEFAULT_STAGES)
    )
    await session.flush()
    return pipeline


async def list_pipelines(ctx: Context) -> Sequence[Pipeline]:
    ctx.principal.require(Permission.READ)
    return await ctx.scope.rows(pipelines_query(ctx.scope))


def pipelines_query(scope: TenantScope) -> Select[Pipeline]:
    """The organization's pipelines, the default one first, at most `MAX_PIPELINES`; the compiled read path
    reads the same rows (`winnerr.sqlplan`)."""
    query = scope.select(Pipeline).order_by(Pipeline.is_default.desc(), Pipeline.created_at, Pipeline.id)
    return query.limit(MAX_PIPELINES)


async def default_stage(ctx: Context) -> PipelineStage:
    """The first stage of the organization's default pipeline: where a new deal starts by default."""
    query = (
        ctx.scope.select(PipelineStage)
        .join(Pipeline, tenant_join(Pipeline, PipelineStage, PipelineStage.pipeline_id))
        .where(Pipeline.is_default)
        .order_by(PipelineStage.position)
    )
    stage = await ctx.scope.first(query)
    assert stage is not None, "every organization has a default pipeline with stages"
    return stage
