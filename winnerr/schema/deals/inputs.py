"""Inputs for creating, updating, filtering and sorting deals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from winnerr.schema.enums import DealSortField, DealStatus, DealType, SortDirection


@strawberry.input(
    description="title 1–200 characters, description ≤ 2,000; amount > 0; commissionRate and probability 0–100; "
    "at most 20 tags of ≤ 50 characters. Without stageId the deal starts in the "
    "first stage of the default pipeline; without probability it takes the stage's; a commission left out "
    "follows from commissionRate."
)
class CreateDealInput:
    title: str
    deal_type: DealType
    amount: Decimal
    person_id: strawberry.ID
    property_id: strawberry.ID | None = strawberry.UNSET
    stage_id: strawberry.ID | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    commission: Decimal | None = strawberry.UNSET
    commission_rate: Decimal | None = strawberry.UNSET
    probability: int | None = strawberry.UNSET
    expected_close_date: date | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.input(description="Only the fields given change. The stage changes with moveDealStage.")
class UpdateDealInput:
    title: str | None = strawberry.UNSET
    deal_type: DealType | None = strawberry.UNSET
    amount: Decimal | None = strawberry.UNSET
    person_id: strawberry.ID | None = strawberry.UNSET
    property_id: strawberry.ID | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    commission: Decimal | None = strawberry.UNSET
    commission_rate: Decimal | None = strawberry.UNSET
    probability: int | None = strawberry.UNSET
    expected_close_date: date | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.input(description="Every given condition must hold; a list matches any of its values.")
class DealFilter:
    status: list[DealStatus] | None = strawberry.UNSET
    deal_type: list[DealType] | None = strawberry.UNSET
    person_id: strawberry.ID | None = strawberry.UNSET
    property_id: strawberry.ID | None = strawberry.UNSET
    pipeline_id: strawberry.ID | None = strawberry.UNSET
    stage_id: strawberry.ID | None = strawberry.UNSET
    min_amount: Decimal | None = strawberry.UNSET
    max_amount: Decimal | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    expected_close_after: date | None = strawberry.field(
        default=strawberry.UNSET, description="Expected to close on or after this day."
    )
    expected_close_before: date | None = strawberry.field(
        default=strawberry.UNSET, description="Expected to close on or before this day."
    )


@strawberry.input
class DealSort:
    field: DealSortField = DealSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC
