"""Client mistakes are the client's errors, with the contract's codes; failures while a unit of work ends are
masked like any other; a mutation that rolled back shows nothing of what it would have written.

Each case also checks that nothing was written and nothing was logged at ERROR: a client's mistake is not an
incident, and must not let anyone flood the log."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.database import owner_sessions
from tests.factories import Tenant
from tests.graphql_documents import CREATE_DEAL, CREATE_PERSON, CREATE_PROPERTY, create_deal, create_property
from tests.test_people import create_person
from winnerr.db.enums import Role
from winnerr.errors import ErrorCode
from winnerr.state import AppState

TABLES = ("people", "deals", "properties", "tasks", "communications", "events")
CONTRACT_CODES = {code.value for code in ErrorCode}
DRIVER_TEXT = ("sqlalchemy", "asyncpg", "SQL", "Traceback", "connection")

CREATE_TASK = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id title } }"
LOG = "mutation($input: LogCommunicationInput!) { logCommunication(input: $input) { id externalId recordingUrl } }"
PEOPLE = "query($search: String, $filter: PersonFilter) { people(search: $search, filter: $filter) { items { id } } }"
SUGGEST = "query($prefix: String!) { suggestPeople(prefix: $prefix) { id } }"
PROPERTIES = "query($search: PropertySearchInput) { properties(search: $search) { items { id } } }"
DEALS = "query($filter: DealFilter) { deals(filter: $filter) { items { id } } }"
TASKS = "{ tasks { pagination { total } } }"
SIBLINGS = (
    "{ people(limit: 100) { items { id deals { items { id property { id } } } tasks { items { id } } "
    "communications(limit: 0) { items { id } } } } }"
)
PERSON_ID = "<person>"  # replaced by the id of a person made for the test


async def rows_of(app_state: AppState, tenant: Tenant) -> dict[str, int]:
    """How many rows of each table the tenant's organization has."""
    async with owner_sessions(app_state)() as session:
        counts = {}
        for table in TABLES:
            query = text(f"SELECT count(*) FROM {table} WHERE organization_id = :organization")
            counts[table] = int(await session.scalar(query, {"organization": tenant.organization_id}) or 0)
        return counts


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


def with_person(value: Any, person_id: str) -> Any:
    """`value` with every PERSON_ID placeholder replaced by `person_id`."""
    if isinstance(value, dict):
        return {key: with_person(item, person_id) for key, item in value.items()}
    if isinstance(value, list):
        return [with_person(item, person_id) for item in value]
    return person_id if value == PERSON_ID else value


@dataclass(frozen=True)
class Case:
    """A document and its variables (PERSON_ID stands for a person of the tenant), and the error expected."""

    name: str
    document: str
    variables: dict[str, Any]
    path: list[str | int] | None = None


def person_input(**fields: Any) -> dict[str, Any]:
    return {"input": {"firstName": "Ada", "lastName": "Lovelace", **fields}}


def deal_input(**fields: Any) -> dict[str, Any]:
    return {"input": {"title": "Oak", "dealType": "LISTING", "amount": "1000.00", "personId": PERSON_ID, **fields}}


def property_input(**fields: Any) -> dict[str, Any]:
    base = {"address": "1 Oak St", "city": "Austin", "state": "TX", "zipCode": "78701"}
    return {"input": {**base, "propertyType": "CONDO", "price": "1000.00", **fields}}


def communication_input(**fields: Any) -> dict[str, Any]:
    return {"input": {"personId": PERSON_ID, "channel": "CALL", "direction": "OUTBOUND", **fields}}


async def run_case(tenant: Tenant, case: Case) -> dict[str, Any]:
    person = await create_person(tenant, firstName="Grace", email="grace@example.com")
    return await tenant.gql_error(case.document, with_person(case.variables, str(person["id"])))


# --- NUL characters: refused in every text, input or filter, with the field's path -----------------------------

NUL = "a\x00b"
NUL_CASES = [
    *(
        Case(f"person {field}", CREATE_PERSON, person_input(**{field: NUL}), ["input", field])
        for field in ("firstName", "lastName", "email", "phone", "address", "city", "state", "zipCode")
    ),
    Case("person tag", CREATE_PERSON, person_input(tags=["ok", NUL]), ["input", "tags"]),
    Case("customFields value", CREATE_PERSON, person_input(customFields={"a": [NUL]}), ["input", "customFields"]),
    Case("customFields key", CREATE_PERSON, person_input(customFields={NUL: 1}), ["input", "customFields"]),
    Case("deal title", CREATE_DEAL, deal_input(title=NUL), ["input", "title"]),
    Case("deal description", CREATE_DEAL, deal_input(description=NUL), ["input", "description"]),
    Case("deal tag", CREATE_DEAL, deal_input(tags=[NUL]), ["input", "tags"]),
    Case("property address", CREATE_PROPERTY, property_input(address=NUL), ["input", "address"]),
    Case("property mlsNumber", CREATE_PROPERTY, property_input(mlsNumber=NUL), ["input", "mlsNumber"]),
    Case("property description", CREATE_PROPERTY, property_input(description=NUL), ["input", "description"]),
    Case("task title", CREATE_TASK, {"input": {"title": NUL}}, ["input", "title"]),
    Case("task description", CREATE_TASK, {"input": {"title": "t", "description": NUL}}, ["input", "description"]),
    *(
        Case(f"communication {field}", LOG, communication_input(**{field: NUL}), ["input", field])
        for field in ("subject", "body", "externalId", "recordingUrl")
    ),
    Case("people search", PEOPLE, {"search": NUL}, ["search"]),
    Case("people filter city", PEOPLE, {"filter": {"city": NUL}}, ["filter", "city"]),
    Case("people filter state", PEOPLE, {"filter": {"state": NUL}}, ["filter", "state"]),
    Case("people filter tags", PEOPLE, {"filter": {"tags": [NUL]}}, ["filter", "tags"]),
    Case("suggestPeople prefix", SUGGEST, {"prefix": NUL}, ["prefix"]),
    Case("property search query", PROPERTIES, {"search": {"query": NUL}}, ["search", "query"]),
    Case("property search city", PROPERTIES, {"search": {"city": NUL}}, ["search", "city"]),
    Case("deal filter tags", DEALS, {"filter": {"tags": [NUL]}}, ["filter", "tags"]),
]


@pytest.mark.parametrize("case", NUL_CASES, ids=[case.name for case in NUL_CASES])
async def test_nul_in_any_text_is_a_validation_error_with_its_path(
    tenant: Tenant, app_state: AppState, caplog: pytest.LogCaptureFixture, case: Case
) -> None:
    before = await rows_of(app_state, tenant) | {"people": 1}
    with caplog.at_level(logging.ERROR):
        error = await run_case(tenant, case)
    assert error["extensions"]["code"] == "VALIDATION_ERROR", error
    assert case.path in [issue["path"] for issue in error["extensions"]["issues"]]
    assert await rows_of(app_state, tenant) == before
    assert errors_logged(caplog) == []


async def test_a_nul_in_the_login_email_is_a_failed_login(
    client: httpx.AsyncClient, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    form = {"grant_type": "password", "email": tenant.emails[Role.OWNER] + "\x00", "password": "whatever it is"}
    with caplog.at_level(logging.ERROR):
        response = await client.post("/auth/token", json=form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert errors_logged(caplog) == []


# --- variable values their type refuses --------------------------------------------------------------------------

HUGE = "<1e400>"  # a JSON number no float holds: written into the body as is
BAD_VALUES = [
    Case("Decimal abc", CREATE_DEAL, deal_input(amount="abc")),
    Case("Decimal with an underscore", CREATE_DEAL, deal_input(amount="1_000")),
    Case("Decimal in fullwidth digits", CREATE_DEAL, deal_input(amount="１０００")),
    Case("Decimal with an exponent", CREATE_DEAL, deal_input(amount="1e3")),
    Case("Decimal with spaces", CREATE_DEAL, deal_input(amount=" 100 ")),
    Case("Decimal NaN", CREATE_DEAL, deal_input(amount=float("nan"))),
    Case("Decimal Infinity", CREATE_DEAL, deal_input(amount="Infinity")),
    Case("Date February 30", CREATE_DEAL, deal_input(expectedCloseDate="2024-02-30")),
    Case("DateTime at hour 25", CREATE_TASK, {"input": {"title": "t", "dueAt": "2024-02-01T25:00:00Z"}}),
    Case("Int 2^31", "query($limit: Int) { people(limit: $limit) { items { id } } }", {"limit": 2**31}),
    Case("unknown enum value", PEOPLE, {"filter": {"status": ["NOPE"]}}),
    # JSON that no float holds is refused as the body is parsed, before any variable is read
    Case("JSON NaN", CREATE_PERSON, person_input(customFields={"a": float("nan")})),
    Case("JSON 1e400", CREATE_PERSON, person_input(customFields={"a": HUGE})),
]


@pytest.mark.parametrize("case", BAD_VALUES, ids=[case.name for case in BAD_VALUES])
async def test_a_value_its_type_refuses_is_a_validation_error(
    tenant: Tenant, app_state: AppState, caplog: pytest.LogCaptureFixture, case: Case
) -> None:
    person = await create_person(tenant)
    before = await rows_of(app_state, tenant)
    variables = with_person(case.variables, str(person["id"]))
    body = json.dumps({"query": case.document, "variables": variables}).replace(f'"{HUGE}"', "1e400")
    headers = tenant.headers() | {"Content-Type": "application/json"}
    with caplog.at_level(logging.ERROR):
        response = await tenant.client.post("/graphql", content=body, headers=headers)
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["VALIDATION_ERROR"], errors
    if case.path is not None:
        assert case.path in [issue["path"] for issue in errors[0]["extensions"]["issues"]]
    assert await rows_of(app_state, tenant) == before
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("amount", ["1000.50", "42", "+7.25", 1000, 99.5], ids=str)
async def test_plainly_written_amounts_are_accepted(tenant: Tenant, amount: str | float) -> None:
    home = (await tenant.gql(CREATE_PROPERTY, property_input(price=amount)))["createProperty"]
    assert float(home["price"]) == float(amount)


async def test_a_duplicate_external_id_is_a_duplicate_record(
    tenant: Tenant, app_state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    person = await create_person(tenant)
    logged = with_person(communication_input(externalId="CA1234"), str(person["id"]))
    await tenant.gql(LOG, logged)
    with caplog.at_level(logging.ERROR):
        error = await tenant.gql_error(LOG, logged)
    assert error["extensions"] == {"code": "DUPLICATE_RECORD"}
    assert error["message"] == "A communication with this externalId already exists"
    assert (await rows_of(app_state, tenant))["communications"] == 1
    assert errors_logged(caplog) == []


# --- customFields: bounded in size, depth, keys and text ----------------------------------------------------------


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


CUSTOM_FIELDS = {
    "5 levels": (nested(5), True),
    "6 levels": (nested(6), False),
    "900 levels": (nested(900), False),
    "a list is a level": ({"a": {"b": {"c": {"d": [1]}}}}, True),
    "a list one level too deep": ({"a": {"b": {"c": {"d": {"e": [1]}}}}}, False),
    "100 keys": ({f"k{n}": n for n in range(100)}, True),
    "101 keys": ({f"k{n}": n for n in range(101)}, False),
    "101 keys over two levels": ({"a": {f"k{n}": n for n in range(100)}}, False),
    "1000 characters": ({"a": "x" * 1000}, True),
    "1001 characters": ({"a": "x" * 1001}, False),
    "a key of 1001 characters": ({"k" * 1001: 1}, False),
    "16 KiB": ({f"k{n}": "x" * 1000 for n in range(16)}, True),
    "over 16 KiB": ({f"k{n}": "x" * 1000 for n in range(17)}, False),
    "1 MB in a list": ({"a": ["x" * 1000] * 1000}, False),
}


@pytest.mark.parametrize(("value", "accepted"), CUSTOM_FIELDS.values(), ids=list(CUSTOM_FIELDS))
async def test_custom_fields_are_bounded(
    tenant: Tenant, app_state: AppState, caplog: pytest.LogCaptureFixture, value: dict[str, Any], accepted: bool
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await tenant.post(CREATE_PERSON, person_input(customFields=value))
    body = response.json()
    if accepted:
        assert "errors" not in body, body
        assert body["data"]["createPerson"]["customFields"] == value
    else:
        assert [error["extensions"]["code"] for error in body["errors"]] == ["VALIDATION_ERROR"]
        assert body["errors"][0]["extensions"]["issues"][0]["path"] == ["input", "customFields"]
        assert (await rows_of(app_state, tenant))["people"] == 0
    assert errors_logged(caplog) == []


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://api.twilio.com/recordings/RE1.mp3", True),
        ("https://", False),
        ("https://exa mple.com/a.mp3", False),
        ("https://" + "a" * 1000 + ".com", False),
        ("http://example.com/a.mp3", False),
        ("javascript:alert(1)//https://", False),
    ],
)
async def test_recording_url_is_parsed_as_an_https_url(tenant: Tenant, url: str, accepted: bool) -> None:
    person = await create_person(tenant)
    variables = with_person(communication_input(recordingUrl=url), str(person["id"]))
    if accepted:
        assert (await tenant.gql(LOG, variables))["logCommunication"]["recordingUrl"] == url
    else:
        error = await tenant.gql_error(LOG, variables)
        assert error["extensions"]["issues"][0]["path"] == ["input", "recordingUrl"]


# --- a failing field, a failing commit, a rolled-back mutation ---------------------------------------------------


async def people_with_deals_and_tasks(tenant: Tenant, count: int) -> None:
    for n in range(count):
        person = await create_person(tenant, firstName=f"Buyer{n}", email=f"buyer{n}@example.com")
        home = await create_property(tenant, address=f"{n} Oak Street")
        await create_deal(tenant, person["id"], propertyId=home["id"])
        await tenant.gql(CREATE_TASK, {"input": {"title": f"Call {n}", "personId": person["id"]}})


async def test_a_failing_field_does_not_break_the_session_of_its_siblings(
    tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    await people_with_deals_and_tasks(tenant, 3)
    viewer = tenant.as_role(Role.VIEWER)
    with caplog.at_level(logging.ERROR):
        for _ in range(10):
            response = await viewer.post(SIBLINGS)
            errors = response.json()["errors"]
            assert {error["extensions"]["code"] for error in errors} == {"VALIDATION_ERROR"}, errors
            assert errors[0]["path"][-1] == "communications", errors
            assert not any(text in response.text for text in DRIVER_TEXT)
    assert errors_logged(caplog) == []
    assert len((await viewer.gql(SIBLINGS.replace("limit: 0", "limit: 1")))["people"]["items"]) == 3


async def backend_waiting_on(app_state: AppState, statement: str) -> int:
    """The pid of the app's connection that waits for a lock while running `statement…`."""
    query = text(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE :statement "
        "AND datname = current_database()"
    )
    for _ in range(400):
        async with app_state.database.engine.connect() as connection:
            pid = await connection.scalar(query, {"statement": f"{statement}%"})
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.025)
    raise AssertionError(f"no connection waited on {statement!r}")


async def test_a_failure_while_committing_is_masked_logged_and_writes_nothing(
    tenant: Tenant, app_state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    """The commit writes the mutation's events, which first takes the organization's row: a test holds that
    row, and the server's connection is terminated while it waits (as in a failover)."""
    lock = text("SELECT 1 FROM organizations WHERE id = :organization FOR NO KEY UPDATE")
    with caplog.at_level(logging.ERROR):
        async with app_state.database.engine.connect() as holder:
            await holder.execute(lock, {"organization": tenant.organization_id})
            mutation = asyncio.create_task(tenant.post(CREATE_TASK, {"input": {"title": "Never written"}}))
            pid = await backend_waiting_on(app_state, "WITH bump AS ( UPDATE organizations")
            await holder.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await holder.rollback()
        response = await mutation
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert body.get("data") is None
    assert [error["extensions"] for error in body["errors"]] == [{"code": "INTERNAL_ERROR", "requestId": request_id}]
    assert not any(text in response.text for text in (*DRIVER_TEXT, "UPDATE", "event_sequence"))
    logged = errors_logged(caplog)
    assert len(logged) == 1
    assert request_id in logged[0].getMessage()
    assert logged[0].exc_info is not None
    assert (await tenant.gql(TASKS))["tasks"]["pagination"]["total"] == 0


NESTED_FAILURE = "person { communications(limit: 0) { items { id } } }"


@pytest.mark.parametrize(
    "document",
    [
        f"mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ id title {NESTED_FAILURE} }} }}",
        "mutation($input: CreateTaskInput!) { ...Both }\n"
        "fragment Both on Mutation { first: createTask(input: $input) { id } "
        f"... on Mutation {{ second: createTask(input: $input) {{ id {NESTED_FAILURE} }} }} }}",
    ],
    ids=["one field", "aliases in fragments"],
)
async def test_a_mutation_that_rolled_back_shows_no_data(tenant: Tenant, document: str) -> None:
    person = await create_person(tenant)
    response = await tenant.post(document, {"input": {"title": "Rolled back", "personId": person["id"]}})
    body = response.json()
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["VALIDATION_ERROR"]
    assert body["errors"][0]["path"][-1] == "communications"
    assert (await tenant.gql(TASKS))["tasks"]["pagination"]["total"] == 0
