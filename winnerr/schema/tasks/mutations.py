"""Changing tasks: `createTask`, `completeTask`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import tasks
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.tasks.inputs import CreateTaskInput
from winnerr.schema.tasks.types import Task
from winnerr.schema.types import Info


@strawberry.type
class TasksMutation:
    @strawberry.mutation(description="Add a task. A person, deal or assignee not of your organization is NOT_FOUND.")
    async def create_task(
        self,
        info: Info,
        input: Annotated[
            CreateTaskInput,
            strawberry.argument(description="The new task's fields; only title is required."),
        ],
    ) -> Task:
        return from_row(Task, await tasks.create_task(info.context, values_of(input)))

    @strawberry.mutation(description="Mark a task done; completing it again keeps the first completedAt.")
    async def complete_task(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The task to complete; NOT_FOUND if it is not in your organization."),
        ],
    ) -> Task:
        return from_row(Task, await tasks.complete_task(info.context, id))
