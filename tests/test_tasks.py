"""Tasks through GraphQL: creating with defaults, completing once, the overdue filter, and `Person.tasks`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person
from winnerr.db.enums import Role

TASK_FIELDS = (
    "id title description dueAt completedAt done isOverdue person { id } deal { id } "
    "assignee { id email fullName } createdAt updatedAt"
)
CREATE = f"mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK_FIELDS} }} }}"
COMPLETE = "mutation($id: ID!) { completeTask(id: $id) { id done completedAt isOverdue } }"
LIST = """query($filter: TaskFilter, $page: Int, $limit: Int) {
  tasks(filter: $filter, page: $page, limit: $limit) {
    items { id title }
    pagination { page limit total totalPages hasNextPage hasPreviousPage }
  }
}"""
PERSON_TASKS = """query($id: ID!, $overdue: Boolean) {
  person(id: $id) { tasks(overdue: $overdue) { items { title isOverdue } pagination { total } } }
}"""


def days_from_now(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def create_task(tenant: Tenant, **fields: object) -> dict[str, Any]:
    created: dict[str, Any] = (await tenant.gql(CREATE, {"input": {"title": "Call back", **fields}}))["createTask"]
    return created


async def titles(tenant: Tenant, **task_filter: object) -> list[str]:
    items = (await tenant.gql(LIST, {"filter": task_filter}))["tasks"]["items"]
    return [item["title"] for item in items]


async def test_a_new_task_is_open_and_assigned_to_its_creator(tenant: Tenant) -> None:
    agent = tenant.as_role(Role.AGENT)
    task = await create_task(agent)
    assert task["title"] == "Call back"
    assert task["description"] is None
    assert task["dueAt"] is None
    assert task["completedAt"] is None
    assert task["done"] is False
    assert task["isOverdue"] is False
    assert task["person"] is None
    assert task["deal"] is None
    agent_user = {"id": str(tenant.user_ids[Role.AGENT]), "email": tenant.emails[Role.AGENT], "fullName": ""}
    assert task["assignee"] == agent_user


async def test_a_task_links_a_person_a_deal_and_another_member(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"])
    due = "2031-05-01T09:30:00+00:00"
    task = await create_task(
        tenant,
        title="  Send the offer  ",
        description="With the inspection report",
        dueAt=due,
        personId=person["id"],
        dealId=deal["id"],
        assigneeId=str(tenant.user_ids[Role.VIEWER]),
    )
    assert task["title"] == "Send the offer"
    assert task["description"] == "With the inspection report"
    assert datetime.fromisoformat(task["dueAt"]) == datetime.fromisoformat(due)
    assert task["person"] == {"id": person["id"]}
    assert task["deal"] == {"id": deal["id"]}
    assert task["assignee"]["id"] == str(tenant.user_ids[Role.VIEWER])


async def test_an_explicit_null_assignee_leaves_the_task_unassigned(tenant: Tenant) -> None:
    assert (await create_task(tenant, assigneeId=None))["assignee"] is None


async def test_an_assignee_who_is_not_a_member_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    for assignee in (other_tenant.user_ids[Role.OWNER], uuid.uuid4()):
        error = await tenant.gql_error(CREATE, {"input": {"title": "T", "assigneeId": str(assignee)}})
        assert error["extensions"]["code"] == "NOT_FOUND"
    assert await titles(tenant) == []


async def test_a_person_or_deal_of_another_organization_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = await create_person(other_tenant)
    their_deal = await create_deal(other_tenant, theirs["id"])
    for link in ({"personId": theirs["id"]}, {"dealId": their_deal["id"]}):
        error = await tenant.gql_error(CREATE, {"input": {"title": "T", **link}})
        assert error["extensions"]["code"] == "NOT_FOUND"
    assert await titles(tenant) == []


async def test_invalid_input_lists_every_bad_field_and_stores_nothing(tenant: Tenant) -> None:
    bad = {"title": " ", "description": "x" * 5001, "personId": "not-an-id"}
    error = await tenant.gql_error(CREATE, {"input": bad})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    paths = {tuple(issue["path"]) for issue in error["extensions"]["issues"]}
    assert paths == {("input", "title"), ("input", "description"), ("input", "personId")}
    long_title = await tenant.gql_error(CREATE, {"input": {"title": "x" * 201}})
    assert long_title["extensions"]["issues"][0]["path"] == ["input", "title"]
    assert await titles(tenant) == []


async def test_a_viewer_cannot_create_or_complete_tasks(tenant: Tenant) -> None:
    viewer = tenant.as_role(Role.VIEWER)
    error = await viewer.gql_error(CREATE, {"input": {"title": "Not mine to add"}})
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    task = await create_task(tenant)
    error = await viewer.gql_error(COMPLETE, {"id": task["id"]})
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert await titles(viewer) == ["Call back"]
    assert await titles(tenant, done=False) == ["Call back"]


async def test_completing_twice_keeps_the_first_completion(tenant: Tenant) -> None:
    task = await create_task(tenant, dueAt=days_from_now(-1))
    assert task["isOverdue"] is True
    first = (await tenant.gql(COMPLETE, {"id": task["id"]}))["completeTask"]
    assert first["done"] is True
    assert first["isOverdue"] is False
    assert first["completedAt"] is not None
    second = (await tenant.gql(COMPLETE, {"id": task["id"]}))["completeTask"]
    assert second == first


async def test_completing_a_task_of_another_organization_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = await create_task(other_tenant)
    for task_id in (theirs["id"], str(uuid.uuid4()), "nope"):
        error = await tenant.gql_error(COMPLETE, {"id": task_id})
        assert error["extensions"]["code"] == "NOT_FOUND"
    assert await titles(other_tenant, done=False) == ["Call back"]


async def add_overdue_mix(tenant: Tenant, **fields: object) -> None:
    """Tasks of every kind: overdue, due later, done though late, and without a due time."""
    await create_task(tenant, title="due yesterday", dueAt=days_from_now(-1), **fields)
    await create_task(tenant, title="due tomorrow", dueAt=days_from_now(1), **fields)
    done = await create_task(tenant, title="done late", dueAt=days_from_now(-2), **fields)
    await tenant.gql(COMPLETE, {"id": done["id"]})
    await create_task(tenant, title="someday", **fields)


async def test_overdue_means_due_before_now_and_not_done(tenant: Tenant) -> None:
    await add_overdue_mix(tenant)
    assert await titles(tenant) == ["done late", "due yesterday", "due tomorrow", "someday"]
    assert await titles(tenant, overdue=True) == ["due yesterday"]
    assert await titles(tenant, overdue=False) == ["done late", "due tomorrow", "someday"]
    assert await titles(tenant, done=True) == ["done late"]
    assert await titles(tenant, done=False, overdue=False) == ["due tomorrow", "someday"]


async def test_filters_by_person_deal_and_assignee_and_pages(tenant: Tenant) -> None:
    person = await create_person(tenant)
    deal = await create_deal(tenant, person["id"])
    agent_id = str(tenant.user_ids[Role.AGENT])
    await create_task(tenant, title="about the person", personId=person["id"], dueAt=days_from_now(1))
    await create_task(tenant, title="about the deal", dealId=deal["id"], assigneeId=agent_id, dueAt=days_from_now(2))
    await create_task(tenant, title="unrelated", dueAt=days_from_now(3))
    assert await titles(tenant, personId=person["id"]) == ["about the person"]
    assert await titles(tenant, dealId=deal["id"]) == ["about the deal"]
    assert await titles(tenant, assigneeId=agent_id) == ["about the deal"]
    page = (await tenant.gql(LIST, {"limit": 2, "page": 2}))["tasks"]
    assert [item["title"] for item in page["items"]] == ["unrelated"]
    assert page["pagination"] == {
        "page": 2,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNextPage": False,
        "hasPreviousPage": True,
    }


@pytest.mark.parametrize("variables", [{"limit": 0}, {"limit": 101}, {"filter": {"personId": "x"}}])
async def test_bad_list_arguments_are_validation_errors(tenant: Tenant, variables: dict[str, Any]) -> None:
    error = await tenant.gql_error(LIST, variables)
    assert error["extensions"]["code"] == "VALIDATION_ERROR"


async def test_person_tasks_with_and_without_the_overdue_filter(tenant: Tenant) -> None:
    person = await create_person(tenant)
    await add_overdue_mix(tenant, personId=person["id"])
    await create_task(tenant, title="someone else's", dueAt=days_from_now(-1))

    async def person_tasks(overdue: bool | None) -> list[tuple[str, bool]]:
        tasks = (await tenant.gql(PERSON_TASKS, {"id": person["id"], "overdue": overdue}))["person"]["tasks"]
        assert tasks["pagination"]["total"] == len(tasks["items"])
        return [(task["title"], task["isOverdue"]) for task in tasks["items"]]

    assert await person_tasks(None) == [
        ("done late", False),
        ("due yesterday", True),
        ("due tomorrow", False),
        ("someday", False),
    ]
    assert await person_tasks(True) == [("due yesterday", True)]
    assert await person_tasks(False) == [("done late", False), ("due tomorrow", False), ("someday", False)]


async def test_a_deleted_person_leaves_the_task_without_a_person(tenant: Tenant) -> None:
    person = await create_person(tenant)
    task = await create_task(tenant, personId=person["id"])
    await tenant.gql("mutation($id: ID!) { deletePerson(id: $id) }", {"id": person["id"]})
    listed = (await tenant.gql("{ tasks { items { id person { id } } } }"))["tasks"]["items"]
    assert listed == [{"id": task["id"], "person": None}]
