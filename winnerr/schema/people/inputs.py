"""Inputs for creating, updating, filtering and sorting people."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from winnerr.schema.enums import LeadSource, PersonSortField, PersonStatus, SortDirection

LEAD_SCORE_COMPUTED = (
    "The lead score is computed from the person's signals (see `Person.leadScore`); a value given here is ignored. "
    "Removed after 2027-06."
)

@strawberry.input(
    description="firstName and lastName 1–50 characters; phone any format (stored E.164); address ≤ 200, city "
    "≤ 100, state 2–50, zipCode 12345 or 12345-6789; at most 20 tags of ≤ 50 characters; "
    "customFields at most 16 KiB of JSON, 5 levels deep, 100 keys, 1,000 characters per key or text."
)
class CreatePersonInput:
    first_name: str
    last_name: str
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    state: str | None = strawberry.UNSET
    zip_code: str | None = strawberry.UNSET
    source: LeadSource | None = strawberry.UNSET
    status: PersonStatus | None = strawberry.UNSET
    lead_score: int | None = strawberry.field(
        default=strawberry.UNSET, description="Ignored: the score is computed.", deprecation_reason=LEAD_SCORE_COMPUTED
    )
    last_contact_at: datetime | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    custom_fields: JSON | None = strawberry.UNSET


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdatePersonInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    state: str | None = strawberry.UNSET
    zip_code: str | None = strawberry.UNSET
    source: LeadSource | None = strawberry.UNSET
    status: PersonStatus | None = strawberry.UNSET
    lead_score: int | None = strawberry.field(
        default=strawberry.UNSET, description="Ignored: the score is computed.", deprecation_reason=LEAD_SCORE_COMPUTED
    )
    last_contact_at: datetime | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    custom_fields: JSON | None = strawberry.UNSET


@strawberry.input(description="Every given condition must hold; a list matches any of its values.")
class PersonFilter:
    status: list[PersonStatus] | None = strawberry.UNSET
    source: list[LeadSource] | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    state: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Has any of these tags.")
    min_lead_score: int | None = strawberry.UNSET
    max_lead_score: int | None = strawberry.UNSET
    contacted_after: datetime | None = strawberry.UNSET
    contacted_before: datetime | None = strawberry.UNSET


@strawberry.input
class PersonSort:
    field: PersonSortField = PersonSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC
