"""Live updates through a real uvicorn: subscriptions on both websocket protocols, replay, presence,
tenancy, rollback, and the websocket's own rules (token, origin, expiry)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import pytest
import websockets
from sqlalchemy import text
from websockets.typing import Subprotocol

from tests.factories import Tenant
from tests.graphql_documents import stage_named
from tests.live import PROTOCOLS, TRANSPORT_WS, GraphQLSocket, closed_with, served, served_app
from tests.test_people import create_person
from tests.test_statement_count import counting_statements
from winnerr.auth.tokens import issue_access_token
from winnerr.db.enums import EventType, Role
from winnerr.settings import Settings
from winnerr.state import AppState
from winnerr.subscriptions.broadcast import LISTENER_NAME
from winnerr.subscriptions.events import Change, write_events
from winnerr.subscriptions.fanout import SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON
from winnerr.websockets import CONNECTION_INIT_SECONDS, TOKEN_EXPIRED_REASON, UNAUTHORIZED_REASON

DEAL_UPDATED = """subscription($id: ID, $after: Int) {
  dealUpdated(id: $id, after: $after) { sequence type actorId dealId deal { title stage { name } person { fullName } } }
}"""
COMMUNICATION_CREATED = """subscription($personId: ID, $after: Int) {
  communicationCreated(personId: $personId, after: $after) { sequence type communication { subject person { id } } }
}"""
PRESENCE = "subscription($after: Int) { presence(after: $after) { sequence status member { email } } }"
ONLINE = "{ onlineMembers { email } }"
EVENTS = """query($entityId: ID, $after: Int) {
  events(entityId: $entityId, after: $after) { items { sequence type entityId actorId } }
}"""
LAST_EVENTS = """query($after: Int) {
  changes: events(after: $after, limit: 100) { items { sequence } }
  online: events(type: MEMBER_ONLINE, after: $after, limit: 100) { items { sequence } }
  offline: events(type: MEMBER_OFFLINE, after: $after, limit: 100) { items { sequence } }
}"""
CREATE_DEAL = "mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }"
UPDATE_DEAL = "mutation($id: ID!, $input: UpdateDealInput!) { updateDeal(id: $id, input: $input) { id } }"
MOVE = "mutation($id: ID!, $stageId: ID!) { moveDealStage(id: $id, stageId: $stageId) { id } }"
SOCKETS = 200
LOG = "mutation($input: LogCommunicationInput!) { logCommunication(input: $input) { id } }"


async def now(tenant: Tenant) -> int:
    """The organization's last event sequence, presence included: subscribing with `after` set to it misses
    nothing later, however long the subscription takes to start."""
    last = 0
    found = (await tenant.gql(LAST_EVENTS, {"after": last})).values()
    while events := [event for page in found for event in page["items"]]:
        last = max(event["sequence"] for event in events)
        found = (await tenant.gql(LAST_EVENTS, {"after": last})).values()
    return last


async def new_deal(tenant: Tenant, title: str = "Main St") -> str:
    person = await create_person(tenant, email=None)
    deal = {"title": title, "dealType": "LISTING", "amount": "400000", "personId": person["id"]}
    deal_id: str = (await tenant.gql(CREATE_DEAL, {"input": deal}))["createDeal"]["id"]
    return deal_id


async def rename(tenant: Tenant, deal_id: str, title: str) -> None:
    await tenant.gql(UPDATE_DEAL, {"id": deal_id, "input": {"title": title}})


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_deal_updates_reach_subscribers_with_sequence_and_actor(tenant: Tenant, host: str, protocol: str) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token(Role.VIEWER), protocol=protocol) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        await tenant.gql(MOVE, {"id": deal_id, "stageId": (await stage_named(tenant, "Offer"))["id"]})
        event = (await socket.next_data(operation))["dealUpdated"]
        assert event["type"] == "DEAL_MOVED"
        assert event["dealId"] == deal_id
        assert event["actorId"] == str(tenant.user_ids[Role.OWNER])
        assert event["deal"]["stage"]["name"] == "Offer"
        assert event["deal"]["person"]["fullName"] == "Jennifer Lopez"
        await rename(tenant, deal_id, "Renamed")
        renamed = (await socket.next_data(operation))["dealUpdated"]
        assert renamed["sequence"] == event["sequence"] + 1
        assert renamed["deal"]["title"] == "Renamed"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_communications_reach_subscribers_of_that_person(tenant: Tenant, host: str, protocol: str) -> None:
    person = await create_person(tenant, email="a@example.com")
    other = await create_person(tenant, email="b@example.com")
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT), protocol=protocol) as socket:
        operation = await socket.subscribe(
            COMMUNICATION_CREATED, {"personId": person["id"], "after": await now(tenant)}
        )
        for who, subject in ((other, "not this one"), (person, "Called about the offer")):
            entry = {"personId": who["id"], "channel": "CALL", "direction": "OUTBOUND", "subject": subject}
            await tenant.gql(LOG, {"input": entry})
        event = (await socket.next_data(operation))["communicationCreated"]
        assert event["type"] == "COMMUNICATION_CREATED"
        assert event["communication"] == {"subject": "Called about the offer", "person": {"id": person["id"]}}
        assert await socket.nothing_for(operation, 0.5)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_presence_counts_tabs_of_one_member(tenant: Tenant, host: str, protocol: str) -> None:
    async with GraphQLSocket.open(host, tenant.token(Role.OWNER), protocol=protocol) as watcher:
        operation = await watcher.subscribe(PRESENCE, {"after": await now(tenant)})
        agent = tenant.token(Role.AGENT)
        async with GraphQLSocket.open(host, agent, protocol=protocol):
            online = (await watcher.next_data(operation))["presence"]
            assert (online["status"], online["member"]["email"]) == ("ONLINE", tenant.emails[Role.AGENT])
            async with GraphQLSocket.open(host, agent, protocol=protocol):
                assert await watcher.nothing_for(operation, 0.5), "a second tab is not news"
                emails = {m["email"] for m in (await tenant.gql(ONLINE))["onlineMembers"]}
                assert emails == {tenant.emails[Role.OWNER], tenant.emails[Role.AGENT]}
            assert await watcher.nothing_for(operation, 0.5), "one tab is still open"
        offline = (await watcher.next_data(operation))["presence"]
        assert (offline["status"], offline["sequence"]) == ("OFFLINE", online["sequence"] + 1)
        assert {m["email"] for m in (await tenant.gql(ONLINE))["onlineMembers"]} == {tenant.emails[Role.OWNER]}


async def test_presence_is_debounced_per_member(tenant: Tenant, settings: Settings) -> None:
    patient = settings.model_copy(update={"presence_grace_seconds": 3.0})
    async with served(patient) as host, GraphQLSocket.open(host, tenant.token(Role.OWNER)) as watcher:
        start = await now(tenant)
        operation = await watcher.subscribe(PRESENCE, {"after": start})
        for _ in range(10):  # a flaky network, or someone opening and closing sockets in a loop
            async with GraphQLSocket.open(host, tenant.token(Role.AGENT)):
                pass
        online = (await watcher.next_data(operation))["presence"]
        assert (online["status"], online["member"]["email"]) == ("ONLINE", tenant.emails[Role.AGENT])
        offline = (await watcher.next_data(operation, wait=15))["presence"]
        assert (offline["status"], offline["member"]["email"]) == ("OFFLINE", tenant.emails[Role.AGENT])
        assert await watcher.nothing_for(operation, 0.5)
    presence = await tenant.gql(LAST_EVENTS, {"after": start})
    assert (len(presence["online"]["items"]), len(presence["offline"]["items"])) == (1, 1)


async def test_another_organization_receives_nothing(tenant: Tenant, other_tenant: Tenant, host: str) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, other_tenant.token()) as outsider:
        deals = await outsider.subscribe(DEAL_UPDATED, {"after": 0})
        people = await outsider.subscribe(PRESENCE)
        await asyncio.sleep(0.3)
        async with GraphQLSocket.open(host, tenant.token(Role.AGENT)):
            await rename(tenant, deal_id, "Private")
            assert await outsider.nothing_for(deals, 0.8)
            assert await outsider.nothing_for(people, 0.1)
        foreign = await outsider.subscribe(DEAL_UPDATED, {"id": deal_id})
        error = await outsider.next_message(foreign)
        assert "NOT_FOUND" in str(error)


async def test_a_rolled_back_mutation_announces_nothing(tenant: Tenant, host: str) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        both = """mutation($id: ID!, $stageId: ID!) {
          moved: moveDealStage(id: $id, stageId: $stageId) { id }
          broken: updateDeal(id: $id, input: {amount: "-1"}) { id }
        }"""
        response = await tenant.post(both, {"id": deal_id, "stageId": (await stage_named(tenant, "Offer"))["id"]})
        assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
        assert await socket.nothing_for(operation, 0.8)
    audit = (await tenant.gql(EVENTS, {"entityId": deal_id}))["events"]["items"]
    assert [event["type"] for event in audit] == ["DEAL_CREATED"]


async def test_after_replays_then_goes_live_without_gap_or_repeat(tenant: Tenant, host: str) -> None:
    deal_id = await new_deal(tenant)
    for n in range(12):
        await rename(tenant, deal_id, f"Before {n}")
    first = (await tenant.gql(EVENTS, {"entityId": deal_id}))["events"]["items"][0]["sequence"]
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"after": first})
        writer = asyncio.create_task(_renames(tenant, deal_id, 8))
        received = [(await socket.next_data(operation))["dealUpdated"]["sequence"] for _ in range(20)]
        await writer
        assert await socket.nothing_for(operation, 0.5)
    stored = (await tenant.gql(EVENTS, {"entityId": deal_id, "after": first}))["events"]["items"]
    assert received == [event["sequence"] for event in stored]
    assert received == sorted(set(received))


async def _renames(tenant: Tenant, deal_id: str, count: int) -> None:
    for n in range(count):
        await rename(tenant, deal_id, f"During {n}")


async def test_audit_log_lists_events_for_readers(tenant: Tenant) -> None:
    deal_id = await new_deal(tenant)
    await tenant.gql(MOVE, {"id": deal_id, "stageId": (await stage_named(tenant, "Showing"))["id"]})
    events = (await tenant.as_role(Role.VIEWER).gql(EVENTS, {"entityId": deal_id}))["events"]["items"]
    assert [e["type"] for e in events] == ["DEAL_CREATED", "DEAL_MOVED"]
    assert events[1]["sequence"] > events[0]["sequence"]
    assert {e["actorId"] for e in events} == {str(tenant.user_ids[Role.OWNER])}


async def test_audit_log_lists_changes_and_presence_only_when_asked_for(tenant: Tenant, host: str) -> None:
    start = await now(tenant)
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT)):
        deal_id = await new_deal(tenant)
    changes = (await tenant.gql(EVENTS, {"after": start}))["events"]["items"]
    assert [event["type"] for event in changes] == ["DEAL_CREATED"]
    assert changes[0]["entityId"] == deal_id
    presence = """query($after: Int) { events(type: MEMBER_ONLINE, after: $after) { items { type entityId } } }"""
    online = (await tenant.gql(presence, {"after": start}))["events"]["items"]
    assert online == [{"type": "MEMBER_ONLINE", "entityId": str(tenant.user_ids[Role.AGENT])}]


async def test_two_hundred_concurrent_subscribes_all_succeed(tenant: Tenant, settings: Settings) -> None:
    deal_id = await new_deal(tenant)
    token = tenant.token(Role.AGENT)
    one_member = {"websockets_per_member": SOCKETS, "rate_limit_websockets": f"{SOCKETS}/minute"}
    async with served(settings.model_copy(update=one_member)) as host, contextlib.AsyncExitStack() as stack:
        sockets = await asyncio.gather(
            *(stack.enter_async_context(GraphQLSocket.open(host, token)) for _ in range(SOCKETS))
        )
        after = (await tenant.gql(EVENTS, {"entityId": deal_id}))["events"]["items"][-1]["sequence"]
        variables = {"id": deal_id, "after": after}
        operations = await asyncio.gather(*(s.subscribe(DEAL_UPDATED, variables) for s in sockets))
        await rename(tenant, deal_id, "Everyone hears this")
        events = await asyncio.gather(*(s.next_data(o, wait=20) for s, o in zip(sockets, operations, strict=True)))
        assert {event["dealUpdated"]["deal"]["title"] for event in events} == {"Everyone hears this"}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_bad_or_missing_token_is_refused(tenant: Tenant, host: str, protocol: str) -> None:
    for token in (None, "not-a-jwt", tenant.token() + "x"):
        assert await closed_with(host, token, protocol=protocol) == (4401, UNAUTHORIZED_REASON)


async def test_the_socket_closes_when_its_token_expires(tenant: Tenant, host: str, settings: Settings) -> None:
    short = issue_access_token(
        settings, user_id=tenant.user_ids[Role.AGENT], organization_id=tenant.organization_id, role=Role.AGENT, ttl=2
    ).token
    code, reason = await closed_with(host, short, wait=10)
    assert (code, reason) == (4401, TOKEN_EXPIRED_REASON)


async def test_a_foreign_browser_origin_is_refused(tenant: Tenant, host: str) -> None:
    code, _ = await closed_with(host, tenant.token(), origin="https://evil.example.com")
    assert code == 403
    async with GraphQLSocket.open(host, tenant.token(), origin=f"http://{host}"):
        pass


async def test_a_killed_listen_connection_recovers_and_replays_what_was_missed(
    tenant: Tenant, host: str, app_state: AppState
) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        async with app_state.database.engine.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": LISTENER_NAME},
            )
        assert killed >= 1
        await rename(tenant, deal_id, "Said while nobody listened")
        started = time.monotonic()
        missed = (await socket.next_data(operation, wait=2))["dealUpdated"]
        assert missed["deal"]["title"] == "Said while nobody listened"
        await rename(tenant, deal_id, "Said after the reconnect")
        assert (await socket.next_data(operation, wait=2))["dealUpdated"]["deal"]["title"] == "Said after the reconnect"
        assert time.monotonic() - started < 2.5


async def test_a_socket_that_never_initialises_is_closed(host: str) -> None:
    async with websockets.connect(f"ws://{host}/graphql", subprotocols=[Subprotocol(TRANSPORT_WS)]) as ws:
        with contextlib.suppress(websockets.ConnectionClosed):
            async with asyncio.timeout(CONNECTION_INIT_SECONDS + 5):
                await ws.recv()
        assert ws.close_code == 4408


async def test_a_slow_consumer_is_disconnected_with_a_reason(
    tenant: Tenant, settings: Settings, app_state: AppState
) -> None:
    deal_id = await new_deal(tenant)
    small = settings.model_copy(update={"subscriber_queue_size": 2})
    async with served(small) as host, GraphQLSocket.open(host, tenant.token()) as socket:
        await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        changes = [Change(EventType.DEAL_UPDATED, uuid.UUID(deal_id))] * 200
        async with app_state.database.session_for(tenant.organization_id) as session, session.begin():
            notices = await write_events(session, tenant.organization_id, None, changes)
        await app_state.hub.publish(notices)
        await asyncio.wait_for(socket.closed(), 10)
        assert socket.connection.close_code == SLOW_CONSUMER_CLOSE_CODE
        assert socket.connection.close_reason == SLOW_CONSUMER_REASON


async def test_an_event_costs_one_statement_for_all_subscribers_of_a_process(
    tenant: Tenant, settings: Settings
) -> None:
    deal_id = await new_deal(tenant)
    light = "subscription($id: ID, $after: Int) { dealUpdated(id: $id, after: $after) { deal { id title } } }"

    async def statements_for(sockets: int, host: str, state: AppState) -> int:
        async with contextlib.AsyncExitStack() as stack:
            opened = [await stack.enter_async_context(GraphQLSocket.open(host, tenant.token())) for _ in range(sockets)]
            after = await now(tenant)
            operations = [await socket.subscribe(light, {"id": deal_id, "after": after}) for socket in opened]

            async def everyone_hears(title: str) -> None:
                await rename(tenant, deal_id, title)
                for socket, operation in zip(opened, operations, strict=True):
                    assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == title

            await everyone_hears("Warm-up: every subscription is live once it has heard this")
            with counting_statements(state) as executed:
                await everyone_hears(f"Heard by {sockets}")
            return len(executed)

    # A long presence grace period: the first round's socket is not settled (a statement) during the second.
    patient = settings.model_copy(update={"presence_grace_seconds": 60.0})
    async with served_app(patient) as (host, state):
        assert await statements_for(1, host, state) == await statements_for(6, host, state) == 1
