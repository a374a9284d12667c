"""Reading tasks: `tasks(filter, page, limit)`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import tasks
from winnerr.schema.described import PageLimit, PageNumber
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.tasks.inputs import TaskFilter
from winnerr.schema.tasks.types import Task
from winnerr.schema.types import Info


@strawberry.type
class TasksQuery:
    @strawberry.field(
        description="Your organization's tasks, due soonest first (those without a due time last). "
        "Paged: limit 1–100."
    )
    async def tasks(
        self,
        info: Info,
        filter: Annotated[
            TaskFilter | None,
            strawberry.argument(description="Conditions every listed task meets."),
        ] = None,
        page: PageNumber = 1,
        limit: PageLimit = 20,
    ) -> Page[Task]:
        result = await tasks.list_tasks(info.context, filters=values_of(filter), page=page, limit=limit)
        return Page.of(result, lambda row: from_row(Task, row))
