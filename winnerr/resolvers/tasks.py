"""Tasks: follow-ups for a member about a person or a deal; creating, completing, listing, overdue ones."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, not_

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import EventType
from winnerr.db.models import Deal, Person, Task
from winnerr.db.models.tasks import overdue_condition
from winnerr.db.scope import TenantScope
from winnerr.errors import NotFound
from winnerr.resolvers import records
from winnerr.resolvers.deals import ENTITY as DEAL
from winnerr.resolvers.joined import reader
from winnerr.resolvers.loaders import PERSON_TASKS
from winnerr.resolvers.pagination import Page, page_of_relation, page_request, paginate
from winnerr.resolvers.people import ENTITY as PERSON
from winnerr.resolvers.querying import SortDirection, order, where_given
from winnerr.resolvers.validation import LongText, Required200, Rules, validate

ENTITY = "Task"
MEMBER = "Member"


class TaskRules(Rules):
    title: Required200
    description: LongText | None = None
    due_at: datetime | None = None
    person_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None


class TaskFilterRules(Rules):
    person_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    done: bool | None = None
    overdue: bool | None = None


def is_overdue(due_at: datetime | None, completed_at: datetime | None, now: datetime | None = None) -> bool:
    """A task is overdue when it is not done and its due time has passed."""
    return completed_at is None and due_at is not None and due_at < (now or datetime.now(UTC))


async def create_task(ctx: Context, data: dict[str, Any]) -> Task:
    """A new task; without `assignee_id` it is the caller's, with null it is nobody's."""
    ctx.principal.require(Permission.WRITE)
    rules = validate(TaskRules, data)
    if rules.person_id is not None:
        await records.fetch(ctx, Person, rules.person_id, PERSON)
    if rules.deal_id is not None:
        await records.fetch(ctx, Deal, rules.deal_id, DEAL)
    values = rules.model_dump()
    if "assignee_id" not in rules.model_fields_set:
        values["assignee_id"] = ctx.principal.user_id
    elif rules.assignee_id is not None and await ctx.loaders.member.load(rules.assignee_id) is None:
        raise NotFound(MEMBER)
    return await records.create(ctx, Task, values, announce=EventType.TASK_CREATED)


async def complete_task(ctx: Context, task_id: str) -> Task:
    """Mark a task done; completing it again keeps the first completion time."""
    ctx.principal.require(Permission.WRITE)
    task = await records.fetch(ctx, Task, task_id, ENTITY)
    if task.completed_at is not None:
        return task
    # COALESCE in the UPDATE itself: a concurrent completion that committed first keeps its time.
    completed = {"completed_at": func.coalesce(Task.completed_at, func.now())}
    return await records.update(ctx, task, completed, announce=EventType.TASK_UPDATED)


async def list_tasks(ctx: Context, *, filters: dict[str, Any], page: int | None, limit: int | None) -> Page[Task]:
    """The organization's tasks, those due soonest first and those without a due time last."""
    ctx.principal.require(Permission.READ)
    request = page_request(page, limit)
    return await paginate(reader(ctx, Task), tasks_query(ctx.scope, filters), request)


def tasks_query(scope: TenantScope, filters: dict[str, Any]) -> Select[Task]:
    """The organization's tasks under `filters` (VALIDATION_ERROR for bad ones), in `list_tasks`'s order; the
    compiled read path reads the same rows (`winnerr.sqlplan`)."""
    rules = validate(TaskFilterRules, filters, at="filter")
    query = order(_filtered(scope.select(Task), rules), Task.due_at, SortDirection.ASC, Task.created_at)
    return query.order_by(Task.id)


PERSON_OVERDUE_TASKS = replace(PERSON_TASKS, where=lambda: overdue_condition(datetime.now(UTC)))
PERSON_OTHER_TASKS = replace(PERSON_TASKS, where=lambda: not_(overdue_condition(datetime.now(UTC))))


async def tasks_of_person(
    ctx: Context, person_id: uuid.UUID, *, overdue: bool | None, page: int | None, limit: int | None
) -> Page[Task]:
    """A page of a person's tasks in the order of `list_tasks`, optionally only the overdue (or the other) ones;
    batched across all the people of a request."""
    ctx.principal.require(Permission.READ)
    relation = {None: PERSON_TASKS, True: PERSON_OVERDUE_TASKS, False: PERSON_OTHER_TASKS}[overdue]
    return await page_of_relation(ctx.loaders, relation, person_id, page, limit)


def _filtered(query: Select[Task], rules: TaskFilterRules) -> Select[Task]:
    overdue = overdue_condition(datetime.now(UTC))
    return where_given(
        query,
        rules.person_id and Task.person_id == rules.person_id,
        rules.deal_id and Task.deal_id == rules.deal_id,
        rules.assignee_id and Task.assignee_id == rules.assignee_id,
        rules.done is not None and (Task.completed_at.is_not(None) if rules.done else Task.completed_at.is_(None)),
        rules.overdue is not None and (overdue if rules.overdue else not_(overdue)),
    )
