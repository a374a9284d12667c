"""The compiled read path's lane answers a plain request for a query of a fixed plan before Strawberry's view:
over GET and POST, in the media type the client accepts, exactly as the view would; what the view owns (an
`Idempotency-Key`, a request that is not well-formed, another transport) still goes to the view."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person, create_property
from tests.test_metrics import scrape, value
from tests.test_sqlplan_differential import comparable, compiled_reads
from winnerr.graphql_http import GRAPHQL_RESPONSE_JSON, JSON
from winnerr.state import AppState

DEAL = "query Deal($id: ID!) { deal(id: $id) { id title amount person { id lastName } property { id city } } }"


async def a_deal(tenant: Tenant) -> str:
    person = await create_person(tenant, lastName="Lane")
    home = await create_property(tenant, address="1 Lane Street", city="Austin")
    deal = await create_deal(tenant, person["id"], title="By the lane", propertyId=home["id"])
    return str(deal["id"])


async def by_lane(client: httpx.AsyncClient) -> float:
    return value(await scrape(client), "winnerr_compiled_reads_total", path="lane")


async def ask(tenant: Tenant, method: str, variables: dict[str, Any], **headers: str) -> httpx.Response:
    sent = {**tenant.headers(), **headers}
    if method == "GET":
        params = {"query": DEAL, "variables": json.dumps(variables), "operationName": "Deal"}
        return await tenant.client.get("/graphql", params=params, headers=sent)
    body = {"query": DEAL, "variables": variables, "operationName": "Deal"}
    return await tenant.client.post("/graphql", json=body, headers=sent)


async def test_the_lane_answers_get_and_post_in_either_media_type_as_the_view_does(
    tenant: Tenant, app_state: AppState, client: httpx.AsyncClient
) -> None:
    deal_id = await a_deal(tenant)
    await ask(tenant, "POST", {"id": deal_id})  # the full path answers first, and teaches the lane the plan
    for method in ("GET", "POST"):
        for accept in (JSON, GRAPHQL_RESPONSE_JSON):
            before = await by_lane(client)
            laned = await ask(tenant, method, {"id": deal_id}, accept=accept)
            assert await by_lane(client) == before + 1, f"{method} {accept} did not go by the lane"
            with compiled_reads(app_state, False):
                viewed = await ask(tenant, method, {"id": deal_id}, accept=accept)
            assert (laned.status_code, laned.headers["content-type"]) == (200, accept)
            assert (viewed.status_code, viewed.headers["content-type"]) == (200, accept)
            assert comparable(laned.json()) == comparable(viewed.json())
            assert laned.json()["data"]["deal"]["property"]["city"] == "Austin"


async def test_what_the_view_owns_does_not_go_by_the_lane(
    tenant: Tenant, other_tenant: Tenant, client: httpx.AsyncClient
) -> None:
    deal_id = await a_deal(tenant)
    await ask(tenant, "GET", {"id": deal_id})
    before = await by_lane(client)
    keyed = await ask(tenant, "POST", {"id": deal_id}, **{"idempotency-key": "lane-key-1"})
    assert keyed.status_code == 200
    assert keyed.json()["data"]["deal"]["id"] == deal_id
    streamed = await ask(tenant, "GET", {"id": deal_id}, accept="text/event-stream")
    assert streamed.status_code == 200
    assert streamed.headers["content-type"].startswith("text/event-stream")
    broken = await tenant.client.get(
        "/graphql", params={"query": DEAL, "variables": "{not json"}, headers=tenant.headers()
    )
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert await by_lane(client) == before
    theirs = await ask(other_tenant, "GET", {"id": deal_id})
    assert theirs.json()["data"] == {"deal": None}
    assert theirs.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
