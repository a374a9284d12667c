"""Inputs for creating, updating, filtering and sorting deals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from winnerr.schema.enums import DealSortField, DealStatus, DealType, SortDirection

DEAL_FIELDS = {
    "title": "A short name for the deal, 1–200 characters.",
    "deal_type": "LISTING, BUYER_REPRESENTATION or RENTAL.",
    "amount": "The deal's value, greater than 0 with at most 2 decimals, in the organization's currency, as a "
    "decimal string like \"500000.00\".",
    "person_id": "The client: a person of your organization (NOT_FOUND otherwise).",
    "property_id": "The home it is about, a property of your organization (NOT_FOUND otherwise); null for none.",
    "stage_id": "Where it starts: a stage of one of your pipelines; default the first stage of the default pipeline.",
    "description": "Notes about the deal, at most 2,000 characters.",
    "commission": "The brokerage's fee, 0 or more, in the organization's currency, as a decimal string; left out, it "
    "follows from amount × commissionRate.",
    "commission_rate": "Percent of the amount, 0–100, as a decimal string like \"3\" or \"2.5\".",
    "probability": "Percent chance of closing, 0–100; default the stage's.",
    "expected_close_date": "The day it is expected to close (YYYY-MM-DD).",
    "tags": "Free labels, at most 20 of 1–50 characters each.",
}
"""What each deal field means, for creating and updating alike."""


@strawberry.input(
    description="title 1–200 characters, description ≤ 2,000; amount > 0; commissionRate and probability 0–100; "
    "at most 20 tags of ≤ 50 characters. Without stageId the deal starts in the "
    "first stage of the default pipeline; without probability it takes the stage's; a commission left out "
    "follows from commissionRate."
)
class CreateDealInput:
    title: str = strawberry.field(description=DEAL_FIELDS["title"])
    deal_type: DealType = strawberry.field(description=DEAL_FIELDS["deal_type"])
    amount: Decimal = strawberry.field(description=DEAL_FIELDS["amount"])
    person_id: strawberry.ID = strawberry.field(description=DEAL_FIELDS["person_id"])
    property_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=DEAL_FIELDS["property_id"]
    )
    stage_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["stage_id"])
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["description"])
    commission: Decimal | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["commission"])
    commission_rate: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description=DEAL_FIELDS["commission_rate"]
    )
    probability: int | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["probability"])
    expected_close_date: date | None = strawberry.field(
        default=strawberry.UNSET, description=DEAL_FIELDS["expected_close_date"]
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["tags"])


@strawberry.input(description="Only the fields given change. The stage changes with moveDealStage.")
class UpdateDealInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["title"])
    deal_type: DealType | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["deal_type"])
    amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["amount"])
    person_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["person_id"])
    property_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=DEAL_FIELDS["property_id"]
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["description"])
    commission: Decimal | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["commission"])
    commission_rate: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description=DEAL_FIELDS["commission_rate"]
    )
    probability: int | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["probability"])
    expected_close_date: date | None = strawberry.field(
        default=strawberry.UNSET, description=DEAL_FIELDS["expected_close_date"]
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description=DEAL_FIELDS["tags"])


@strawberry.input(description="Every given condition must hold; a list matches any of its values.")
class DealFilter:
    status: list[DealStatus] | None = strawberry.field(
        default=strawberry.UNSET, description="Any of these: OPEN, WON, LOST."
    )
    deal_type: list[DealType] | None = strawberry.field(
        default=strawberry.UNSET, description="Any of these deal types."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Only this person's deals."
    )
    property_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Only deals about this property."
    )
    pipeline_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Only deals in this pipeline."
    )
    stage_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Only deals in this stage.")
    min_amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Amount at least this, in the organization's currency, as a decimal "
        "string."
    )
    max_amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Amount at most this, in the organization's currency, as a decimal "
        "string."
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Has any of these tags.")
    expected_close_after: date | None = strawberry.field(
        default=strawberry.UNSET, description="Expected to close on or after this day."
    )
    expected_close_before: date | None = strawberry.field(
        default=strawberry.UNSET, description="Expected to close on or before this day."
    )


@strawberry.input(description="How to order deals.")
class DealSort:
    field: DealSortField = strawberry.field(
        default=DealSortField.CREATED_AT, description="What to sort by (default CREATED_AT)."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="ASC or DESC (default DESC).")
