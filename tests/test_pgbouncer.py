"""Through PgBouncer in transaction pooling mode (issue 13, point 4): the API on a real uvicorn whose every
query goes through the pooler (`DATABASE_POOL_MODE=transaction`, as the default runtime role, so the role
and the organization are transaction-local too) while LISTEN/NOTIFY uses a direct connection (`BROADCAST_URL`):
CRUD, a subscription receiving an event, an export, and a login."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import PASSWORD, Tenant
from tests.graphql_documents import READ_PERSON, UPDATE_PERSON
from tests.live import GraphQLSocket, served
from tests.pgbouncer import pooled_url
from tests.test_export import export
from tests.test_live import DEAL_UPDATED, new_deal, now, rename
from tests.test_people import DELETE, count_people, create_person
from winnerr.db.engine import PoolMode
from winnerr.settings import Settings

__all__ = ["pooled_url"]

CONCURRENT_CLIENTS = 12
"""More clients than the pooler's server connections, so their transactions share and swap them."""


@pytest.fixture(scope="module")
async def behind_pooler(settings: Settings, pooled_url: str) -> AsyncIterator[httpx.AsyncClient]:
    pooled = settings.model_copy(
        update={
            "database_url": pooled_url,
            "database_pool_mode": PoolMode.TRANSACTION,
            "broadcast_url": settings.database_url,
        }
    )
    async with served(pooled) as host, httpx.AsyncClient(base_url=f"http://{host}") as client:
        yield client


async def test_crud_through_the_pooler(tenant: Tenant, other_tenant: Tenant, behind_pooler: httpx.AsyncClient) -> None:
    member = tenant.through(behind_pooler)
    created = await asyncio.gather(*(create_person(member, lastName=f"No{n}") for n in range(CONCURRENT_CLIENTS)))
    person_id = created[0]["id"]
    updated = await member.gql(UPDATE_PERSON, {"id": person_id, "input": {"lastName": "Renamed"}})
    assert updated["updatePerson"]["lastName"] == "Renamed"
    assert (await member.gql(READ_PERSON, {"id": person_id}))["person"]["lastName"] == "Renamed"
    assert (await member.gql(DELETE, {"id": person_id}))["deletePerson"] == person_id
    counts = await asyncio.gather(*(count_people(member) for _ in range(CONCURRENT_CLIENTS)))
    assert counts == [CONCURRENT_CLIENTS - 1] * CONCURRENT_CLIENTS
    assert await count_people(other_tenant.through(behind_pooler)) == 0


async def test_a_subscription_hears_a_mutation_through_the_pooler(
    tenant: Tenant, behind_pooler: httpx.AsyncClient
) -> None:
    member = tenant.through(behind_pooler)
    deal_id = await new_deal(member)
    async with GraphQLSocket.open(behind_pooler.base_url.netloc.decode(), tenant.token()) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(member)})
        await rename(member, deal_id, "Pooled St")
        assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == "Pooled St"


async def test_an_export_and_a_login_through_the_pooler(tenant: Tenant, behind_pooler: httpx.AsyncClient) -> None:
    member = tenant.through(behind_pooler)
    await create_person(member, lastName="Exported")
    assert [row["last_name"] for row in await export(member, "people")] == ["Exported"]
    login = await behind_pooler.post(
        "/auth/token", data={"grant_type": "password", "email": tenant.emails[tenant.role], "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
