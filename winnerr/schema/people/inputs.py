"""Inputs for creating, updating, filtering and sorting people."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from winnerr.schema.enums import LeadSource, PersonSortField, PersonStatus, SortDirection

PERSON_FIELDS = {
    "first_name": "Given name, 1–50 characters.",
    "last_name": "Family name, 1–50 characters.",
    "email": "E-mail address, validated; unique per organization (a second person with it is DUPLICATE_RECORD).",
    "phone": "Phone number in any common format; stored and shown in E.164, like +14155552671.",
    "address": "Street address, at most 200 characters.",
    "city": "City, at most 100 characters.",
    "state": "State, 2–50 characters (e.g. TX or Texas).",
    "zip_code": "US ZIP code: 12345 or 12345-6789.",
    "source": "How they came to you: WEBSITE, REFERRAL, SOCIAL_MEDIA or COLD_CALL.",
    "status": "Lifecycle stage: PROSPECT (the default), LEAD, QUALIFIED, ACTIVE_CLIENT or PAST_CLIENT.",
    "lead_score": "Ignored: the score is computed (`Person.leadScore`).",
    "last_contact_at": "When they were last contacted (ISO 8601 with time zone); logging a communication updates it.",
    "tags": "Free labels, at most 20 of 1–50 characters each.",
    "custom_fields": "Any JSON object of your own fields: at most 16 KiB, 5 levels deep, 100 keys.",
}
"""What each person field means, for creating and updating alike."""
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
    first_name: str = strawberry.field(description=PERSON_FIELDS["first_name"])
    last_name: str = strawberry.field(description=PERSON_FIELDS["last_name"])
    email: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["email"])
    phone: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["phone"])
    address: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["address"])
    city: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["city"])
    state: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["state"])
    zip_code: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["zip_code"])
    source: LeadSource | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["source"])
    status: PersonStatus | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["status"])
    lead_score: int | None = strawberry.field(
        default=strawberry.UNSET, description=PERSON_FIELDS["lead_score"], deprecation_reason=LEAD_SCORE_COMPUTED
    )
    last_contact_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description=PERSON_FIELDS["last_contact_at"]
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["tags"])
    custom_fields: JSON | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["custom_fields"])


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdatePersonInput:
    first_name: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["first_name"])
    last_name: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["last_name"])
    email: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["email"])
    phone: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["phone"])
    address: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["address"])
    city: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["city"])
    state: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["state"])
    zip_code: str | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["zip_code"])
    source: LeadSource | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["source"])
    status: PersonStatus | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["status"])
    lead_score: int | None = strawberry.field(
        default=strawberry.UNSET, description=PERSON_FIELDS["lead_score"], deprecation_reason=LEAD_SCORE_COMPUTED
    )
    last_contact_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description=PERSON_FIELDS["last_contact_at"]
    )
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["tags"])
    custom_fields: JSON | None = strawberry.field(default=strawberry.UNSET, description=PERSON_FIELDS["custom_fields"])


@strawberry.input(description="Every given condition must hold; a list matches any of its values.")
class PersonFilter:
    status: list[PersonStatus] | None = strawberry.field(
        default=strawberry.UNSET, description="Any of these lifecycle stages."
    )
    source: list[LeadSource] | None = strawberry.field(
        default=strawberry.UNSET, description="Any of these lead sources."
    )
    city: str | None = strawberry.field(default=strawberry.UNSET, description="Exactly this city, case aside.")
    state: str | None = strawberry.field(default=strawberry.UNSET, description="Exactly this state, case aside.")
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Has any of these tags.")
    min_lead_score: int | None = strawberry.field(
        default=strawberry.UNSET, description="Lead score at least this, 0–100."
    )
    max_lead_score: int | None = strawberry.field(
        default=strawberry.UNSET, description="Lead score at most this, 0–100."
    )
    contacted_after: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Last contacted at or after this time (ISO 8601)."
    )
    contacted_before: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Last contacted at or before this time (ISO 8601)."
    )


@strawberry.input(description="How to order people; given, it replaces the relevance order of a search.")
class PersonSort:
    field: PersonSortField = strawberry.field(
        default=PersonSortField.CREATED_AT, description="What to sort by (default CREATED_AT)."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="ASC or DESC (default DESC).")
