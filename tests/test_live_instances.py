"""Two instances on one database: a change made through one reaches subscribers of the other, with the
PostgreSQL and the Redis broadcast backends; presence holds across instances and after a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from tests.database import owner_sessions
from tests.factories import Tenant
from tests.live import GraphQLSocket, served
from tests.test_live import DEAL_UPDATED, ONLINE, PRESENCE, UPDATE_DEAL, new_deal, now
from winnerr.db.enums import Role
from winnerr.db.models import PresenceEntry
from winnerr.settings import Settings
from winnerr.state import AppState

EXPIRED_BY = timedelta(minutes=5)
BACKENDS = {"postgresql": None, "redis": "redis://127.0.0.1:6379/0"}


@pytest.fixture(params=sorted(BACKENDS))
async def instances(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[tuple[str, str]]:
    """Two servers sharing the database and the broadcast backend named by the parameter."""
    shared = settings.model_copy(update={"broadcast_url": BACKENDS[request.param]})
    async with served(shared) as first, served(shared) as second:
        yield first, second


async def test_a_change_through_one_instance_reaches_the_other(tenant: Tenant, instances: tuple[str, str]) -> None:
    first, second = instances
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(second, tenant.token(Role.VIEWER)) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        async with httpx.AsyncClient(base_url=f"http://{first}", headers=tenant.headers()) as client:
            variables = {"id": deal_id, "input": {"title": "Across instances"}}
            response = await client.post("/graphql", json={"query": UPDATE_DEAL, "variables": variables})
            assert response.status_code == 200
        event = (await socket.next_data(operation))["dealUpdated"]
        assert event["deal"]["title"] == "Across instances"


async def test_presence_and_online_members_span_instances(tenant: Tenant, instances: tuple[str, str]) -> None:
    first, second = instances
    async with GraphQLSocket.open(second, tenant.token(Role.OWNER)) as watcher:
        operation = await watcher.subscribe(PRESENCE, {"after": await now(tenant)})
        async with GraphQLSocket.open(first, tenant.token(Role.AGENT)):
            online = (await watcher.next_data(operation))["presence"]
            assert (online["status"], online["member"]["email"]) == ("ONLINE", tenant.emails[Role.AGENT])
            async with httpx.AsyncClient(base_url=f"http://{second}", headers=tenant.headers()) as client:
                members = (await client.post("/graphql", json={"query": ONLINE})).json()["data"]["onlineMembers"]
            assert {member["email"] for member in members} == {tenant.emails[Role.OWNER], tenant.emails[Role.AGENT]}
        assert (await watcher.next_data(operation))["presence"]["status"] == "OFFLINE"


async def test_a_crashed_instances_sockets_expire(tenant: Tenant, settings: Settings, app_state: AppState) -> None:
    async with served(settings) as host, GraphQLSocket.open(host, tenant.token(Role.OWNER)) as watcher:
        operation = await watcher.subscribe(PRESENCE, {"after": await now(tenant)})
        async with GraphQLSocket.open(host, tenant.token(Role.AGENT)):
            assert (await watcher.next_data(operation))["presence"]["status"] == "ONLINE"
            # The agent's instance stops beating, as if it had crashed: its heartbeat grows old.
            async with owner_sessions(app_state).begin() as session:
                await session.execute(
                    update(PresenceEntry)
                    .where(PresenceEntry.user_id == tenant.user_ids[Role.AGENT])
                    .values(heartbeat_at=PresenceEntry.heartbeat_at - EXPIRED_BY)
                )
            await app_state.presence.refresh_and_reap()
            offline = (await watcher.next_data(operation))["presence"]
            assert (offline["status"], offline["member"]["email"]) == ("OFFLINE", tenant.emails[Role.AGENT])
