"""Inputs for creating and filtering tasks."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(
    description="title 1–200 characters, description up to 5000. personId, dealId and assigneeId must be of "
    "your organization. Without assigneeId the task is yours; with assigneeId null it is nobody's."
)
class CreateTaskInput:
    title: str
    description: str | None = strawberry.UNSET
    due_at: datetime | None = strawberry.UNSET
    person_id: strawberry.ID | None = strawberry.UNSET
    deal_id: strawberry.ID | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="A member's user id.")


@strawberry.input(description="Every given condition must hold.")
class TaskFilter:
    person_id: strawberry.ID | None = strawberry.UNSET
    deal_id: strawberry.ID | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.UNSET
    done: bool | None = strawberry.UNSET
    overdue: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: not done and due before now; false: all others."
    )
