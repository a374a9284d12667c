"""Deals: create, read, list, update and delete; a deal's stage sets its probability and status."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, create_model, model_validator
from sqlalchemy import Select

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import DealStatus, DealType, EventType
from winnerr.db.models import Deal, Person, Pipeline, PipelineStage, Property
from winnerr.db.scope import TenantScope
from winnerr.errors import Issue, ValidationFailed
from winnerr.resolvers import records
from winnerr.resolvers.joined import ToOne, reader
from winnerr.resolvers.pagination import Page, page_request, paginate
from winnerr.resolvers.pipelines import default_stage
from winnerr.resolvers.querying import SortDirection, check_range, order, where_given
from winnerr.resolvers.validation import (
    NonNegativeMoney,
    Percent,
    PercentDecimal,
    PositiveMoney,
    Required200,
    Rules,
    Tags,
    Text2000,
    partial,
    validate,
)

ENTITY = "Deal"


class DealRules(Rules):
    title: Required200
    description: Text2000 | None = None
    deal_type: DealType
    amount: PositiveMoney
    commission: NonNegativeMoney | None = None
    commission_rate: PercentDecimal | None = None
    probability: Percent | None = None
    expected_close_date: date | None = None
    tags: Tags = Field(default_factory=list)
    person_id: uuid.UUID
    property_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None


# A deal always has a probability: left out on create it is the stage's, but an explicit null on update
# must be refused (it would otherwise reach the NOT NULL column as an INTERNAL_ERROR).
DealPatchRules = create_model("DealRulesPatch", __base__=partial(DealRules), probability=(Percent, None))


class DealFilterRules(Rules):
    status: list[DealStatus] | None = None
    deal_type: list[DealType] | None = None
    person_id: uuid.UUID | None = None
    property_id: uuid.UUID | None = None
    pipeline_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    min_amount: NonNegativeMoney | None = None
    max_amount: NonNegativeMoney | None = None
    tags: Tags | None = None
    expected_close_after: date | None = None
    expected_close_before: date | None = None

    @model_validator(mode="after")
    def _amount_range(self) -> DealFilterRules:
        check_range(self.min_amount, self.max_amount, "minAmount", "maxAmount")
        check_range(self.expected_close_after, self.expected_close_before, "expectedCloseAfter", "expectedCloseBefore")
        return self


class DealSortField(StrEnum):
    CREATED_AT = "CREATED_AT"
    AMOUNT = "AMOUNT"
    EXPECTED_CLOSE_DATE = "EXPECTED_CLOSE_DATE"
    TITLE = "TITLE"


SORT_COLUMNS = {
    DealSortField.CREATED_AT: Deal.created_at,
    DealSortField.AMOUNT: Deal.amount,
    DealSortField.EXPECTED_CLOSE_DATE: Deal.expected_close_date,
    DealSortField.TITLE: Deal.title,
}


TO_ONE = {
    "person": ToOne(Person, Deal.person_id, lambda loaders: loaders.person),
    "property": ToOne(Property, Deal.property_id, lambda loaders: loaders.property),
    "stage": ToOne(PipelineStage, Deal.stage_id, lambda loaders: loaders.stage),
    "pipeline": ToOne(Pipeline, Deal.pipeline_id, lambda loaders: loaders.pipeline),
}
"""A deal's to-one relations by the name of the field showing each; `chosen(TO_ONE, selected)` are read with it."""


def get_deal(ctx: Context, deal_id: str, relations: Sequence[ToOne] = ()) -> Awaitable[Any]:
    """The deal (with `relations` read in the same statement: `winnerr.resolvers.joined`), or NOT_FOUND: the
    read's coroutine, to await."""
    return records.read_joined(ctx, Deal, deal_id, ENTITY, relations)


async def list_deals(
    ctx: Context,
    *,
    filters: dict[str, Any],
    sort: tuple[DealSortField, SortDirection],
    page: int | None,
    limit: int | None,
    relations: Sequence[ToOne] = (),
) -> Page[Any]:
    """A page of deals as `Columns`, with `relations` read in the same statement (`winnerr.resolvers.joined`)."""
    ctx.principal.require(Permission.READ)
    request = page_request(page, limit)
    return await paginate(reader(ctx, Deal, relations), deals_query(ctx.scope, filters, sort), request)


def deals_query(scope: TenantScope, filters: dict[str, Any], sort: tuple[DealSortField, SortDirection]) -> Select[Deal]:
    """The organization's deals matching the filters (validated), in order: shared by the `deals` query and
    the compiled read path (`winnerr.sqlplan`)."""
    rules = validate(DealFilterRules, filters, at="filter")
    field, direction = sort
    return order(_filtered(scope.select(Deal), rules), SORT_COLUMNS[field], direction, Deal.id)


def _filtered(query: Select[Deal], rules: DealFilterRules) -> Select[Deal]:
    return where_given(
        query,
        rules.status and Deal.status.in_(rules.status),
        rules.deal_type and Deal.deal_type.in_(rules.deal_type),
        rules.person_id and Deal.person_id == rules.person_id,
        rules.property_id and Deal.property_id == rules.property_id,
        rules.pipeline_id and Deal.pipeline_id == rules.pipeline_id,
        rules.stage_id and Deal.stage_id == rules.stage_id,
        rules.min_amount is not None and Deal.amount >= rules.min_amount,
        rules.max_amount is not None and Deal.amount <= rules.max_amount,
        rules.tags and Deal.tags.overlap(rules.tags),
        rules.expected_close_after and Deal.expected_close_date >= rules.expected_close_after,
        rules.expected_close_before and Deal.expected_close_date <= rules.expected_close_before,
    )


async def create_deal(ctx: Context, data: dict[str, Any]) -> Deal:
    ctx.principal.require(Permission.WRITE)
    rules = validate(DealRules, data)
    await records.fetch(ctx, Person, rules.person_id, "Person")
    if rules.property_id is not None:
        await records.fetch(ctx, Property, rules.property_id, "Property")
    stage = await _stage(ctx, rules.stage_id)
    values = rules.model_dump(exclude={"stage_id"})
    values.update(_placed_in(stage, explicit_probability=rules.probability))
    values["commission"] = _commission(rules.amount, rules.commission, rules.commission_rate)
    return await records.create(ctx, Deal, values, announce=EventType.DEAL_CREATED)


async def update_deal(ctx: Context, deal_id: str, data: dict[str, Any]) -> Deal:
    ctx.principal.require(Permission.WRITE)
    patch = validate(DealPatchRules, data)
    deal = await records.fetch(ctx, Deal, deal_id, ENTITY)
    values = patch.model_dump(exclude_unset=True, exclude={"stage_id"})
    if "person_id" in values:
        await records.fetch(ctx, Person, values["person_id"], "Person")
    if values.get("property_id") is not None:
        await records.fetch(ctx, Property, values["property_id"], "Property")
    rate = values.get("commission_rate", deal.commission_rate)
    if {"amount", "commission_rate"} & values.keys() and "commission" not in values and rate is not None:
        values["commission"] = _commission(values.get("amount", deal.amount), None, rate)
    return await records.update(ctx, deal, values, announce=EventType.DEAL_UPDATED)


async def move_deal_stage(ctx: Context, deal_id: str, stage_id: str) -> Deal:
    """Put the deal in another stage of its pipeline: it takes the stage's probability, and a WON or LOST
    stage closes it (status and actualCloseDate); moving back to an open stage reopens it."""
    ctx.principal.require(Permission.WRITE)
    deal = await records.fetch(ctx, Deal, deal_id, ENTITY)
    stage = await records.fetch(ctx, PipelineStage, stage_id, "Stage")
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationFailed([Issue(["stageId"], "The stage belongs to another pipeline than the deal's")])
    return await records.update(ctx, deal, _placed_in(stage, explicit_probability=None), announce=EventType.DEAL_MOVED)


async def delete_deal(ctx: Context, deal_id: str) -> uuid.UUID:
    return await records.delete(ctx, Deal, deal_id, ENTITY, announce=EventType.DEAL_DELETED)


async def _stage(ctx: Context, stage_id: uuid.UUID | None) -> PipelineStage:
    if stage_id is None:
        return await default_stage(ctx)
    return await records.fetch(ctx, PipelineStage, stage_id, "Stage")


def _placed_in(stage: PipelineStage, *, explicit_probability: int | None) -> dict[str, Any]:
    """What being in `stage` means for a deal: its pipeline, probability and (closing stages) status."""
    closed = stage.closes_as is not None
    return {
        "pipeline_id": stage.pipeline_id,
        "stage_id": stage.id,
        "probability": stage.probability if explicit_probability is None or closed else explicit_probability,
        "status": stage.closes_as or DealStatus.OPEN,
        "actual_close_date": datetime.now(UTC).date() if closed else None,
    }


def _commission(amount: Decimal, commission: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """An explicit commission wins; otherwise it follows from the rate, to the cent."""
    if commission is not None or rate is None:
        return commission
    return (amount * rate / 100).quantize(Decimal("0.01"))
