"""Inputs for creating and filtering tasks."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(
    description="title 1–200 characters, description up to 5000. personId, dealId and assigneeId must be of "
    "your organization. Without assigneeId the task is yours; with assigneeId null it is nobody's."
)
class CreateTaskInput:
    title: str = strawberry.field(description="What to do, 1–200 characters.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Details, at most 5,000 characters."
    )
    due_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="When it should be done (ISO 8601 with time zone); past due and not done is overdue.",
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The person it is about, of your organization (NOT_FOUND otherwise)."
    )
    deal_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The deal it is about, of your organization (NOT_FOUND otherwise)."
    )
    assignee_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="A member's user id.")


@strawberry.input(description="Every given condition must hold.")
class TaskFilter:
    person_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Only tasks about this person."
    )
    deal_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Only tasks about this deal."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Only tasks assigned to this member (their user id)."
    )
    done: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: only completed tasks; false: only open ones."
    )
    overdue: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: not done and due before now; false: all others."
    )
