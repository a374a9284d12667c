"""The compiled read path answers exactly as the resolvers do.

A seeded generator writes queries (random field subsets, nesting, aliases, fragments, @skip/@include, variables,
limits and pages, filters and sorts, other organizations' ids, unknown ids, bad arguments) over a seeded data
set; each is asked with COMPILED_READS on and off and the answers, parsed, must be equal, errors included. Each is
asked twice on the compiled path: a document whose only variables are by-id ids is answered the second time by
the compiled path's lane (`winnerr.sqlplan.lane`), which must answer alike too.
`SQLPLAN_CASES=5000 SQLPLAN_SEED=7 pytest tests/test_sqlplan_differential.py` runs more by hand.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

from tests.database import owner_sessions
from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person, create_property
from tests.test_metrics import scrape, value
from tests.test_statement_count import counting_statements
from winnerr.state import AppState

CASES = int(os.environ.get("SQLPLAN_CASES", "200"))
SEED = int(os.environ.get("SQLPLAN_SEED", "12"))

SCALARS = {
    "Deal": [
        "id", "title", "description", "dealType", "amount", "commission", "commissionRate", "status",
        "probability", "expectedCloseDate", "actualCloseDate", "tags", "createdAt", "updatedAt",
    ],
    "Person": [
        "id", "firstName", "lastName", "email", "phone", "address", "city", "state", "zipCode", "source",
        "status", "leadScore", "lastContactAt", "tags", "customFields", "createdAt", "updatedAt",
    ],
    "Property": [
        "id", "address", "city", "state", "zipCode", "propertyType", "status", "price", "bedrooms", "bathrooms",
        "squareFeet", "mlsNumber", "description", "createdAt", "updatedAt",
    ],
    "PipelineStage": ["id", "name", "position", "probability", "closesAs"],
    "Pipeline": ["id", "name", "isDefault"],
    "Task": ["id", "title", "description", "dueAt", "completedAt", "createdAt", "updatedAt"],
    "Communication": [
        "id", "channel", "direction", "subject", "body", "occurredAt", "durationSeconds", "externalId",
        "recordingUrl", "mediaUrls", "threadId", "createdAt",
    ],
}
RESOLVED = {
    "Deal": ["isFavorite"],
    "Person": ["fullName", "counts { deals }"],
    "Task": ["done", "isOverdue", "assignee { id }"],
    "Communication": ["sentiment { label }"],
}
"""Fields with resolvers of their own: asking for one makes the whole query fall back."""
RELATIONS = {
    "Deal": {"person": "Person", "property": "Property", "stage": "PipelineStage", "pipeline": "Pipeline"},
    "Person": {"deals": "Deal*", "tasks": "Task*", "communications": "Communication*"},
    "Property": {"deals": "Deal*"},
    "Task": {"person": "Person", "deal": "Deal"},
    "Communication": {"person": "Person"},
    "Pipeline": {"stages": "PipelineStage[]"},
}
"""Relations by name: `*` a page (`{items, pagination}`), `[]` a plain list, else one object."""
PAGINATION = ["page", "limit", "total", "totalPages", "hasNextPage", "hasPreviousPage", "__typename"]
LIMITS = [1, 2, 3, 5, 20, 100, 0, 101, -1]
PAGES = [1, 1, 2, 3, 0]


@dataclass
class Ids:
    own: dict[str, list[str]]
    foreign: dict[str, list[str]]


@dataclass
class Document:
    """One generated operation: its text, its variables, and the fragments and variables it declares."""

    rng: random.Random
    ids: Ids
    fragments: list[str] = field(default_factory=list)
    declarations: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)

    def variable(self, type_: str, value: Any) -> str:
        name = f"v{len(self.declarations)}"
        self.declarations.append(f"${name}: {type_}")
        self.variables[name] = value
        return f"${name}"

    def value(self, type_: str, value: Any, literal: str) -> str:
        """A value written inline or passed as a variable."""
        return self.variable(type_, value) if self.rng.random() < 0.4 else literal

    def directive(self) -> str:
        roll = self.rng.random()
        if roll < 0.08:
            return f" @include(if: {self.variable('Boolean!', self.rng.random() < 0.5)})"
        if roll < 0.14:
            return f" @skip(if: {self.rng.choice(['true', 'false'])})"
        return ""

    def key(self, name: str) -> str:
        if self.rng.random() < 0.25:
            return f"{self.rng.choice(['a', 'b', 'c'])}{self.rng.randrange(100)}: {name}"
        return name

    def some_id(self, kind: str) -> str:
        roll = self.rng.random()
        if roll < 0.7 or not self.ids.foreign[kind]:
            return self.rng.choice(self.ids.own[kind])
        if roll < 0.85:
            return self.rng.choice(self.ids.foreign[kind])
        return str(uuid.uuid4()) if roll < 0.95 else "not-a-uuid"

    def page_arguments(self) -> list[str]:
        arguments = []
        if self.rng.random() < 0.6:
            limit = self.rng.choice(LIMITS)
            arguments.append(f"limit: {self.value('Int', limit, str(limit))}")
        if self.rng.random() < 0.4:
            page = self.rng.choice(PAGES)
            arguments.append(f"page: {self.value('Int', page, str(page))}")
        return arguments

    def selection(self, type_: str, depth: int) -> str:
        rng = self.rng
        chosen = rng.sample(SCALARS[type_], rng.randint(1, min(5, len(SCALARS[type_]))))
        fields = [f"{self.key(name)}{self.directive()}" for name in chosen]
        if rng.random() < 0.2:
            fields.append("__typename")
        if rng.random() < 0.04 and type_ in RESOLVED:
            fields.append(rng.choice(RESOLVED[type_]))
        for name, target in RELATIONS.get(type_, {}).items():
            if depth < 3 and rng.random() < 0.45:
                if target.endswith("*"):
                    arguments = self.page_arguments()
                    if name == "tasks" and rng.random() < 0.2:
                        arguments.append(f"overdue: {rng.choice(['true', 'false', 'null'])}")
                    call = f"{name}({', '.join(arguments)})" if arguments else name
                    fields.append(f"{self.key(call)}{self.directive()} {self.page(target[:-1], depth + 1)}")
                elif target.endswith("[]"):
                    fields.append(f"{self.key(name)}{self.directive()} {self.selection(target[:-2], depth + 1)}")
                else:
                    fields.append(f"{self.key(name)}{self.directive()} {self.selection(target, depth + 1)}")
        return "{ " + self.wrapped(type_, fields) + " }"

    def wrapped(self, type_: str, fields: list[str]) -> str:
        """The fields, some of them in a named or an inline fragment."""
        roll = self.rng.random()
        if roll < 0.15 and len(fields) > 1:
            name = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {name} on {type_} {{ {' '.join(fields[1:])} }}")
            return f"{fields[0]} ...{name}"
        if roll < 0.25:
            return f"... on {type_} {{ {' '.join(fields)} }} {fields[0]}"
        return " ".join(fields)

    def page(self, type_: str, depth: int) -> str:
        parts = []
        if self.rng.random() < 0.85:
            parts.append(f"{self.key('items')} {self.selection(type_, depth)}")
        if self.rng.random() < 0.5 or not parts:
            chosen = self.rng.sample(PAGINATION, self.rng.randint(1, len(PAGINATION)))
            parts.append(f"pagination {{ {' '.join(chosen)} }}")
        return "{ " + " ".join(parts) + " }"

    def root(self) -> str:
        rng = self.rng
        kind = rng.choice([
            "deal", "person", "property", "deals", "deals", "people", "properties", "tasks", "communications",
            "pipelines", "__typename",
        ])
        if kind == "__typename":
            return "__typename"
        alias = f"r{rng.randrange(1000)}: "
        if kind == "pipelines":
            return f"{alias}pipelines{self.directive()} {self.selection('Pipeline', 1)}"
        type_ = {"deal": "Deal", "person": "Person", "property": "Property"}.get(kind)
        if type_ is not None:
            identifier = self.some_id(type_)
            return f"{alias}{kind}(id: {self.value('ID!', identifier, repr(identifier).replace(chr(39), chr(34)))}) " \
                f"{self.selection(type_, 1)}"
        arguments = self.list_arguments(kind)
        call = f"{kind}({', '.join(arguments)})" if arguments else kind
        item = {
            "deals": "Deal", "people": "Person", "properties": "Property", "tasks": "Task",
            "communications": "Communication",
        }[kind]
        return f"{alias}{call}{self.directive()} {self.page(item, 1)}"

    def list_arguments(self, kind: str) -> list[str]:
        rng = self.rng
        if kind == "properties":
            search = self.page_arguments()
            if rng.random() < 0.3:
                search.append(f"sort: {rng.choice(['NEWEST', 'PRICE_ASC', 'PRICE_DESC'])}")
            if rng.random() < 0.2:
                search.append(f'minPrice: "{rng.choice(["100000", "400000", "-1"])}"')
            return [f"search: {{ {', '.join(search)} }}"] if search else []
        arguments = self.page_arguments()
        if kind == "deals" and rng.random() < 0.4:
            arguments.append(f"filter: {self.deal_filter()}")
        if kind == "deals" and rng.random() < 0.3:
            field_ = rng.choice(["CREATED_AT", "AMOUNT", "EXPECTED_CLOSE_DATE", "TITLE"])
            arguments.append(f"sort: {{ field: {field_}, direction: {rng.choice(['ASC', 'DESC'])} }}")
        if kind == "people" and rng.random() < 0.3:
            field_ = rng.choice(["NAME", "CREATED_AT", "LAST_CONTACT_AT", "LEAD_SCORE"])
            arguments.append(f"sort: {{ field: {field_}, direction: {rng.choice(['ASC', 'DESC'])} }}")
        if kind == "people" and rng.random() < 0.1:
            arguments.append(f'search: "{rng.choice(["buyer", "ann", "zz"])}"')
        if kind == "tasks" and rng.random() < 0.5:
            arguments.append(f"filter: {self.task_filter()}")
        if kind == "communications" and rng.random() < 0.5:
            person = self.some_id("Person")
            arguments.append(f"personId: {self.value('ID', person, repr(person).replace(chr(39), chr(34)))}")
        if kind == "communications" and rng.random() < 0.3:
            arguments.append(f"channel: {rng.choice(['CALL', 'SMS', 'NOTE'])}")
        return arguments

    def task_filter(self) -> str:
        rng = self.rng
        options = [
            f'personId: "{self.some_id("Person")}"',
            f'dealId: "{self.some_id("Deal")}"',
            f"done: {rng.choice(['true', 'false'])}",
            f"overdue: {rng.choice(['true', 'false'])}",
        ]
        return self.some_of(options, 2)

    def deal_filter(self) -> str:
        rng = self.rng
        options = [
            f"status: [{rng.choice(['OPEN', 'WON', 'LOST'])}]",
            f"dealType: [{rng.choice(['LISTING', 'RENTAL'])}]",
            f'personId: "{self.some_id("Person")}"',
            f'minAmount: "{rng.choice(["1000", "300000", "-5"])}"',
            f'maxAmount: "{rng.choice(["400000", "10"])}"',
            f'tags: ["{rng.choice(["hot", "cold"])}"]',
        ]
        return self.some_of(options, 3)

    def some_of(self, conditions: list[str], most: int) -> str:
        """An input object of 1 to `most` of `conditions`, picked at random."""
        return "{ " + ", ".join(self.rng.sample(conditions, self.rng.randint(1, most))) + " }"

    def text(self) -> str:
        roots = " ".join(self.root() for _ in range(self.rng.randint(1, 3)))
        declared = f"({', '.join(self.declarations)})" if self.declarations else ""
        return f"query Q{declared} {{ {roots} }} {' '.join(self.fragments)}"


async def seed_records(tenant: Tenant, rng: random.Random, people: int, per_person: int) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {"Deal": [], "Person": [], "Property": []}
    for n in range(people):
        person = await create_person(
            tenant, firstName=rng.choice(["Ann", "Bob", "Buyer"]) + str(n), email=f"p{n}@example.com",
            city=rng.choice(["Austin", None]), source=rng.choice([None, "REFERRAL"]),
            tags=rng.sample(["hot", "cold", "vip"], 2),
            customFields={"budget": n * 1000, "notes": [1.5, None, "x"]},
            lastContactAt=rng.choice([None, "2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00.250000+02:00"]),
        )
        home = await create_property(
            tenant, address=f"{n} Oak Street", price=f"{rng.randrange(100, 900)}000.{rng.randrange(10, 99)}",
            bedrooms=rng.choice([None, 3]), bathrooms=rng.choice([None, "2.5"]),
        )
        ids["Person"].append(str(person["id"]))
        ids["Property"].append(str(home["id"]))
        for m in range(per_person):
            deal = await create_deal(
                tenant, person["id"], title=f"Deal {n}-{m}", amount=f"{rng.randrange(1, 600)}000.50",
                propertyId=rng.choice([home["id"], None]), tags=rng.sample(["hot", "cold"], rng.randint(0, 2)),
                commissionRate=rng.choice([None, "2.50"]), expectedCloseDate=rng.choice([None, "2027-01-31"]),
            )
            ids["Deal"].append(str(deal["id"]))
            await add_task_and_communication(tenant, rng, str(person["id"]), str(deal["id"]), f"{n}-{m}")
    return ids


CREATE_TASK = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"
COMPLETE_TASK = "mutation($id: ID!) { completeTask(id: $id) { id } }"
LOG = "mutation($input: LogCommunicationInput!) { logCommunication(input: $input) { id } }"


async def add_task_and_communication(tenant: Tenant, rng: random.Random, person: str, deal: str, name: str) -> None:
    """A task (some done, some overdue, some without a due time or a deal) and a communication with the person."""
    due = rng.choice([None, "2026-01-05T09:00:00+00:00", "2031-06-01T12:30:00.500000+00:00"])
    task = await tenant.gql(CREATE_TASK, {"input": {
        "title": f"Call {name}", "dueAt": due, "personId": person, "dealId": rng.choice([deal, None]),
        "description": rng.choice([None, "Ask about the offer"]),
    }})
    if rng.random() < 0.3:
        await tenant.gql(COMPLETE_TASK, {"id": task["createTask"]["id"]})
    await tenant.gql(LOG, {"input": {
        "personId": person, "channel": rng.choice(["CALL", "SMS", "NOTE"]), "direction": "OUTBOUND",
        "subject": rng.choice([None, f"About {name}"]), "body": "Talked about the listing",
        "occurredAt": rng.choice(["2026-02-01T10:00:00+00:00", "2026-02-01T10:00:00.125000+00:00"]),
        "durationSeconds": rng.choice([None, 95]),
    }})


async def shape_timestamps(app_state: AppState, organization_id: uuid.UUID) -> None:
    """Some rows created on a whole second, and two deals at the same instant (their order is by id)."""
    async with owner_sessions(app_state)() as session:
        scope = {"organization": organization_id}
        await session.execute(
            text("UPDATE deals SET created_at = date_trunc('second', created_at) WHERE organization_id = :organization "
                 "AND title LIKE '%-0'"), scope,
        )
        await session.execute(
            text("UPDATE deals SET created_at = '2026-01-01T00:00:00Z' WHERE organization_id = :organization "
                 "AND title IN ('Deal 0-1', 'Deal 1-1')"), scope,
        )
        await session.commit()


@contextmanager
def compiled_reads(app_state: AppState, on: bool) -> Iterator[None]:
    before = app_state.settings.compiled_reads
    app_state.settings.compiled_reads = on
    try:
        yield
    finally:
        app_state.settings.compiled_reads = before


def comparable(body: Any) -> Any:
    """The body without what differs between any two requests: the budget left after each, and the order of
    the errors (unspecified: fields resolving at once fail in whichever order they finish). When an error nulls
    the whole `data`, the executor stops the other fields, so which of several failing fields is told is a race:
    only that some error was is kept (the compiled path never answers with errors: both sides are resolvers')."""
    cost = body.get("extensions", {}).get("cost", {})
    cost.pop("remaining", None)
    if "errors" in body and "data" in body and body["data"] is None:
        body["errors"] = "an error nulled data"
    elif "errors" in body:
        body["errors"] = sorted(body["errors"], key=lambda error: (repr(error.get("path")), error["message"]))
    return body


async def answer(
    tenant: Tenant, app_state: AppState, query: str, variables: dict[str, Any], *, on: bool
) -> tuple[int, Any, bool]:
    """(status, comparable parsed body, whether the compiled statement ran)."""
    with compiled_reads(app_state, on), counting_statements(app_state) as statements:
        response = await tenant.post(query, variables)
    return response.status_code, comparable(response.json()), any("json_build_object" in s for s in statements)


async def test_compiled_answers_equal_the_resolvers(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState, client: httpx.AsyncClient
) -> None:
    rng = random.Random(SEED)
    own = await seed_records(tenant, rng, people=6, per_person=3)
    foreign = await seed_records(other_tenant, rng, people=2, per_person=1)
    await shape_timestamps(app_state, tenant.organization_id)
    compiled = 0
    lane_before = value(await scrape(client), "winnerr_compiled_reads_total", path="lane")
    for case in range(CASES):
        document = Document(random.Random(SEED * 100_000 + case), Ids(own, foreign))
        query = document.text()
        status, body, took_sql = await answer(tenant, app_state, query, document.variables, on=True)
        resolved = await answer(tenant, app_state, query, document.variables, on=False)
        assert (status, body) == resolved[:2], (case, query, document.variables)
        again = await answer(tenant, app_state, query, document.variables, on=True)  # by the lane if it can
        assert again[:2] == resolved[:2], (case, query, document.variables)
        if case % 5 == 0:  # the same document with other ids: its cached statement, the ids bound anew
            swapped = {**document.variables, **{
                declared.split(":")[0][1:]: rng.choice([*own["Deal"], *own["Person"], *foreign["Property"]])
                for declared in document.declarations if declared.endswith(": ID!")
            }}
            again = await answer(tenant, app_state, query, swapped, on=True)
            assert again[:2] == (await answer(tenant, app_state, query, swapped, on=False))[:2], (case, query, swapped)
        compiled += took_sql
    assert compiled > CASES // 3, f"only {compiled} of {CASES} cases took the compiled path"
    by_lane = value(await scrape(client), "winnerr_compiled_reads_total", path="lane") - lane_before
    assert by_lane > CASES // 10, f"only {by_lane} answers came from the lane"
