"""Subscriptions over Server-Sent Events (GraphQL over SSE), read by a real SSE client (httpx-sse) from a real
uvicorn: the Bearer token, `after` replay then live events, tenancy, and the stream's end when the membership
ends or the token expires."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from httpx_sse import EventSource, aconnect_sse

from tests.factories import Tenant
from tests.test_live import DEAL_UPDATED, new_deal, now, rename
from tests.test_members import REMOVE, user
from winnerr.auth.tokens import issue_access_token
from winnerr.db.enums import Role
from winnerr.settings import Settings

WAIT = 10.0


class Events:
    """One event stream, read as it comes."""

    def __init__(self, source: EventSource) -> None:
        self.response = source.response
        self._events = source.aiter_sse()

    async def next_data(self) -> dict[str, Any]:
        """The data of the stream's next `next` event."""
        async with asyncio.timeout(WAIT):
            async for event in self._events:
                if event.event == "next":
                    payload = json.loads(event.data)
                    assert "errors" not in payload, payload
                    data: dict[str, Any] = payload["data"]
                    return data
        raise AssertionError("the stream ended")

    async def ends(self) -> list[str]:
        """Read the stream to its end; the kinds of event it sent meanwhile."""
        async with asyncio.timeout(WAIT):
            return [event.event async for event in self._events]


@asynccontextmanager
async def event_stream(host: str, token: str | None, query: str, variables: dict[str, Any]) -> AsyncIterator[Events]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=WAIT) as client:
        body = {"query": query, "variables": variables}
        async with aconnect_sse(client, "POST", "/graphql", json=body, headers=headers) as source:
            yield Events(source)


async def test_a_subscription_over_sse_replays_after_then_goes_live_in_its_organization(
    tenant: Tenant, other_tenant: Tenant, host: str
) -> None:
    deal_id, theirs = await new_deal(tenant), await new_deal(other_tenant)
    before = await now(tenant)
    await rename(tenant, deal_id, "Missed while away")
    async with event_stream(host, tenant.token(Role.VIEWER), DEAL_UPDATED, {"after": before}) as source:
        assert source.response.headers["content-type"].startswith("text/event-stream")
        missed = (await source.next_data())["dealUpdated"]
        assert (missed["sequence"], missed["deal"]["title"]) == (before + 1, "Missed while away")
        await rename(other_tenant, theirs, "Not ours")
        await rename(tenant, deal_id, "Live")
        live = (await source.next_data())["dealUpdated"]
        assert (live["sequence"], live["dealId"], live["deal"]["title"]) == (before + 2, deal_id, "Live")


async def test_an_event_stream_needs_a_valid_bearer_token(host: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{host}") as client:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = await client.post(
                "/graphql",
                json={"query": DEAL_UPDATED},
                headers={"Accept": "text/event-stream", **headers},
            )
            assert response.status_code == 401, response.text


async def test_an_event_stream_ends_when_the_membership_ends(tenant: Tenant, host: str) -> None:
    async with event_stream(host, tenant.token(Role.AGENT), DEAL_UPDATED, {"after": await now(tenant)}) as source:
        await tenant.gql(REMOVE, {"userId": user(tenant, Role.AGENT)})
        assert "next" not in await source.ends()


async def test_an_event_stream_ends_when_its_token_expires(tenant: Tenant, host: str, settings: Settings) -> None:
    short = issue_access_token(
        settings, user_id=tenant.user_ids[Role.AGENT], organization_id=tenant.organization_id, role=Role.AGENT, ttl=2
    ).token
    async with event_stream(host, short, DEAL_UPDATED, {}) as source:
        await source.ends()
