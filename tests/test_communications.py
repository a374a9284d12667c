"""Communications: logging them, reading them per person and per organization, and batched on people."""

from __future__ import annotations

from tests.factories import Tenant
from tests.test_people import create_person
from tests.test_statement_count import counting_statements
from winnerr.db.enums import Role
from winnerr.state import AppState

LOG = """mutation($input: LogCommunicationInput!) {
  logCommunication(input: $input) { id channel direction subject occurredAt person { id lastContactAt } }
}"""
LIST = """query($personId: ID, $channel: CommunicationChannel, $page: Int, $limit: Int) {
  communications(personId: $personId, channel: $channel, page: $page, limit: $limit) {
    items { subject channel } pagination { total hasNextPage }
  }
}"""
PEOPLE = """{ people(limit: 100) { items {
  firstName counts { communications deals tasks } communications(limit: 2) { items { subject } pagination { total } }
} } }"""


def entry(person_id: object, subject: str, **fields: object) -> dict[str, object]:
    return {"personId": person_id, "channel": "CALL", "direction": "OUTBOUND", "subject": subject, **fields}


async def test_logging_moves_last_contact_forward_only(tenant: Tenant) -> None:
    person = await create_person(tenant)
    logged = await tenant.gql(LOG, {"input": entry(person["id"], "First call", occurredAt="2026-11-20T10:00:00Z")})
    assert logged["logCommunication"]["person"]["lastContactAt"] == "2026-11-20T10:00:00+00:00"
    older = entry(person["id"], "Old note", channel="NOTE", occurredAt="2026-01-01T10:00:00Z")
    again = (await tenant.gql(LOG, {"input": older}))["logCommunication"]
    assert again["person"]["lastContactAt"] == "2026-11-20T10:00:00+00:00"


async def test_lists_are_newest_first_filtered_and_paged(tenant: Tenant) -> None:
    person = await create_person(tenant)
    for day, channel in ((1, "CALL"), (2, "SMS"), (3, "CALL")):
        await tenant.gql(
            LOG, {"input": entry(person["id"], f"day {day}", channel=channel, occurredAt=f"2026-11-0{day}T09:00:00Z")}
        )
    calls = (await tenant.gql(LIST, {"personId": person["id"], "channel": "CALL", "limit": 1}))["communications"]
    assert calls["items"] == [{"subject": "day 3", "channel": "CALL"}]
    assert calls["pagination"] == {"total": 2, "hasNextPage": True}


async def test_invalid_input_stores_nothing(tenant: Tenant) -> None:
    person = await create_person(tenant)
    bad = entry(person["id"], "x" * 301, durationSeconds=-5, recordingUrl="ftp://example.com/a.mp3")
    error = await tenant.gql_error(LOG, {"input": bad})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    paths = {tuple(issue["path"]) for issue in error["extensions"]["issues"]}
    assert paths == {("input", "subject"), ("input", "durationSeconds"), ("input", "recordingUrl")}
    assert (await tenant.gql(LIST, {"personId": person["id"]}))["communications"]["pagination"]["total"] == 0


async def test_other_organizations_and_viewers(tenant: Tenant, other_tenant: Tenant) -> None:
    foreign = await create_person(other_tenant)
    await other_tenant.gql(LOG, {"input": entry(foreign["id"], "theirs")})
    assert (await tenant.gql_error(LOG, {"input": entry(foreign["id"], "x")}))["extensions"]["code"] == "NOT_FOUND"
    assert (await tenant.gql_error(LIST, {"personId": foreign["id"]}))["extensions"]["code"] == "NOT_FOUND"
    assert (await tenant.gql(LIST))["communications"]["pagination"]["total"] == 0
    mine = await create_person(tenant)
    denied = await tenant.as_role(Role.VIEWER).gql_error(LOG, {"input": entry(mine["id"], "x")})
    assert denied["extensions"]["code"] == "PERMISSION_DENIED"


async def test_people_show_their_communications_in_constant_statements(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    async def statements(owner: Tenant, people: int) -> int:
        for n in range(people):
            person = await create_person(owner, firstName=f"P{n}", email=f"p{n}@example.com")
            for call in range(3):
                await owner.gql(LOG, {"input": entry(person["id"], f"call {call}")})
        with counting_statements(app_state) as executed:
            found = (await owner.gql(PEOPLE))["people"]["items"]
        assert all(p["counts"]["communications"] == 3 for p in found)
        assert all(len(p["communications"]["items"]) == 2 for p in found)
        assert all(p["communications"]["pagination"]["total"] == 3 for p in found)
        return len(executed)

    assert await statements(tenant, 2) == await statements(other_tenant, 8)
