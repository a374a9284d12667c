"""`GET /metrics` (issue 15, point 5): Prometheus text for the holder of METRICS_TOKEN, or on METRICS_PORT alone,
counting what real requests, sockets, subscriptions, webhooks, limits and pools did; across `--workers N`."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families

from tests.cli import serving
from tests.conftest import TEST_METRICS_TOKEN
from tests.factories import Tenant
from tests.live import GraphQLSocket, free_port
from tests.providers import connect, hooks, phone_number, post_twilio, sms
from winnerr.app import create_app
from winnerr.settings import Settings

__all__ = ["hooks"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
SCRAPER = {"Authorization": f"Bearer {TEST_METRICS_TOKEN}"}
CREATE_DEAL = """mutation($title: String!, $personId: ID!) {
  createDeal(input: { title: $title, personId: $personId, dealType: BUYER_REPRESENTATION, amount: "450000" }) {
    id } }"""
CREATE_PERSON = 'mutation { createPerson(input: { firstName: "Mia", lastName: "Prom" }) { id } }'


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value, 0 when it has not been written yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


async def test_metrics_need_the_metrics_token(client: httpx.AsyncClient, tenant: Tenant) -> None:
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})).status_code == 401
    as_member = await client.get("/metrics", headers=tenant.headers())
    assert as_member.status_code == 401
    assert as_member.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200
    assert "# HELP winnerr_graphql_operation_duration_seconds" in response.text
    assert "ratelimit-limit" not in response.headers


async def test_without_token_or_port_metrics_are_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": None}))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 404
    assert "METRICS_TOKEN" in response.json()["errors"][0]["message"]


async def test_operations_are_counted_and_timed_by_name_and_outcome(client: httpx.AsyncClient, tenant: Tenant) -> None:
    before = await scrape(client)
    for _ in range(3):
        await tenant.gql("query MetricsProbe { me { role } }")
    failed = await tenant.post('query MetricsMissing { person(id: "00000000-0000-0000-0000-000000000000") { id } }')
    assert failed.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    after = await scrape(client)

    ok = {"operation_name": "MetricsProbe", "operation_type": "query", "outcome": "ok"}
    count = "winnerr_graphql_operation_duration_seconds_count"
    assert value(after, count, **ok) - value(before, count, **ok) == 3
    assert value(after, "winnerr_graphql_operation_duration_seconds_sum", **ok) > 0
    every = value(after, "winnerr_graphql_operation_duration_seconds_bucket", **ok, le="+Inf")
    assert every == value(after, count, **ok)
    missing = {"operation_name": "MetricsMissing", "operation_type": "query", "outcome": "error"}
    assert value(after, count, **missing) - value(before, count, **missing) == 1
    errors = "winnerr_graphql_errors_total"
    assert value(after, errors, code="NOT_FOUND") - value(before, errors, code="NOT_FOUND") == 1


async def test_operation_names_are_labelled_within_a_bound(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await tenant.gql("{ me { role } }")
    samples = await scrape(client)
    anonymous = {"operation_name": "anonymous", "operation_type": "query", "outcome": "ok"}
    assert value(samples, "winnerr_graphql_operation_duration_seconds_count", **anonymous) >= 1


async def test_http_requests_are_counted_by_route_and_status(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    await client.get("/health")
    await client.post("/graphql", json={"query": "{ me { role } }"})  # no token: 401
    await client.get("/no/such/page")
    after = await scrape(client)

    def delta(**labels: str) -> float:
        name = "winnerr_http_requests_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(route="/health", method="GET", status="200") == 1
    assert delta(route="/graphql", method="POST", status="401") == 1
    assert delta(route="other", method="GET", status="404") == 1
    assert value(after, "winnerr_http_request_duration_seconds_count", route="/health") >= 1


async def test_rate_limit_refusals_are_counted_by_limit(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    login = {"grant_type": "password", "email": f"{uuid.uuid4().hex}@example.com", "password": "wrong"}
    statuses = [(await client.post("/auth/token", json=login)).status_code for _ in range(7)]
    assert 429 in statuses
    after = await scrape(client)
    refused = "winnerr_rate_limit_refusals_total"
    assert value(after, refused, limit="auth") - value(before, refused, limit="auth") == statuses.count(429)


async def test_webhook_deliveries_are_counted_by_provider_and_outcome(
    client: httpx.AsyncClient, hooks: httpx.AsyncClient, tenant: Tenant
) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    text = sms(number, phone_number())
    before = await scrape(client)
    assert (await post_twilio(hooks, text)).status_code == 200
    assert (await post_twilio(hooks, text)).status_code == 200
    assert (await post_twilio(hooks, sms(number, phone_number()), signature="forged")).status_code == 401
    assert (await client.post("/webhooks/stripe", content=b"{}")).status_code == 503  # `client` has no secret
    after = await scrape(client)

    def delta(provider: str, outcome: str) -> float:
        name = "winnerr_webhook_deliveries_total"
        return value(after, name, provider=provider, outcome=outcome) - value(
            before, name, provider=provider, outcome=outcome
        )

    assert delta("twilio", "applied") == 1
    assert delta("twilio", "duplicate") == 1
    assert delta("twilio", "rejected_401") == 1
    assert delta("stripe", "not_configured") == 1


async def test_sockets_subscriptions_and_deliveries(client: httpx.AsyncClient, host: str, tenant: Tenant) -> None:
    person = (await tenant.gql(CREATE_PERSON))["createPerson"]["id"]
    before = await scrape(client)
    async with GraphQLSocket.open(host, tenant.token()) as socket:
        operation = await socket.subscribe("subscription { dealUpdated { sequence deal { title } } }")
        await asyncio.sleep(0.3)  # the subscription is listening
        during = await scrape(client)
        await tenant.gql(CREATE_DEAL, {"title": "Metrics deal", "personId": person})
        event = await socket.next_data(operation)
        assert event["dealUpdated"]["deal"]["title"] == "Metrics deal"
        delivered = await scrape(client)
    assert value(during, "winnerr_websockets_open") == value(before, "winnerr_websockets_open") + 1
    assert value(during, "winnerr_subscriptions_open") == value(before, "winnerr_subscriptions_open") + 1
    deliveries = "winnerr_subscription_deliveries_total"
    assert value(delivered, deliveries) - value(during, deliveries) == 1
    await _eventually(client, {"winnerr_websockets_open": value(before, "winnerr_websockets_open")})


async def test_database_pool_connections_are_reported(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await tenant.gql("{ me { role } }")
    await asyncio.sleep(1.2)  # the gauges are written every second
    samples = await scrape(client)
    assert value(samples, "winnerr_db_pool_connections", pool="main", state="idle") >= 1
    assert ("winnerr_db_pool_connections", frozenset({("pool", "main"), ("state", "in_use")})) in samples
    assert ("winnerr_db_pool_connections", frozenset({("pool", "limits"), ("state", "overflow")})) in samples


async def _eventually(client: httpx.AsyncClient, expected: Mapping[str, float]) -> None:
    """Scrape until each named sample has the expected value (a socket's close is handled after the client's)."""
    async with asyncio.timeout(5):
        while True:
            samples = await scrape(client)
            if all(value(samples, name) == wanted for name, wanted in expected.items()):
                return
            await asyncio.sleep(0.05)


async def test_several_workers_are_added_up_on_the_metrics_port(cli_env: dict[str, str], tenant: Tenant) -> None:
    """`winnerr serve --workers 2` with METRICS_PORT: one scrape of that port sums both processes' counts, and
    the API's own port has no /metrics."""
    port = free_port()
    env = {**cli_env, "METRICS_PORT": str(port), "RATE_LIMIT_API": "100000/minute"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    requests = 40
    async with serving(env, "--workers", "2") as base_url, httpx.AsyncClient(base_url=base_url) as api:
        for _ in range(requests):  # new connections, so both workers take some
            response = await api.post(
                "/graphql",
                json={"query": "query WorkersProbe { me { role } }"},
                headers={**tenant.headers(), "Connection": "close"},
            )
            assert response.status_code == 200, response.text
        assert (await api.get("/metrics", headers=SCRAPER)).status_code == 404
        async with httpx.AsyncClient() as scraper:
            text = (await scraper.get(f"http://127.0.0.1:{port}/metrics")).text
    samples = parse(text)
    labels = {"operation_name": "WorkersProbe", "operation_type": "query", "outcome": "ok"}
    assert value(samples, "winnerr_graphql_operation_duration_seconds_count", **labels) == requests
    assert value(samples, "winnerr_http_requests_total", route="/graphql", method="POST", status="200") == requests


async def test_tracing_follows_the_standard_otel_variables(
    cli_env: dict[str, str], tenant: Tenant, tmp_path: Path
) -> None:
    """With OTEL_TRACES_EXPORTER=console the server's spans (the HTTP request through the ASGI instrumentation,
    its statements through SQLAlchemy's and asyncpg's) reach the exporter, under OTEL_SERVICE_NAME."""
    output = tmp_path / "spans.txt"
    otel = {"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "winnerr-test", "OTEL_BSP_SCHEDULE_DELAY": "50"}
    env = {**cli_env, **otel}
    async with serving(env, output=output) as base_url, httpx.AsyncClient(base_url=base_url) as api:
        response = await api.post("/graphql", json={"query": "query Traced { me { role } }"}, headers=tenant.headers())
        assert response.status_code == 200
    spans = _json_objects(output.read_text())
    names = {span["name"] for span in spans}
    assert "POST /graphql" in names, names
    assert all(span["resource"]["attributes"]["service.name"] == "winnerr-test" for span in spans)
    statements = [span["attributes"].get("db.statement", "") for span in spans]
    lookups = Counter(statement for statement in statements if "users.email" in statement)
    assert lookups
    assert set(lookups.values()) == {2}  # each statement of the request: SQLAlchemy's span and asyncpg's


def _json_objects(text: str) -> list[dict[str, Any]]:
    """The console exporter's output: JSON objects one after the other (each spread over several lines)."""
    decoder = json.JSONDecoder()
    objects, index = [], 0
    while (start := text.find("{", index)) != -1:
        parsed, index = decoder.raw_decode(text, start)
        objects.append(parsed)
    return objects
