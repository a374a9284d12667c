"""Many processes (issue 13, point 3), each a real `winnerr serve` on the test database, as a fleet: api1, a
server with two uvicorn workers (a host with several cores), and api2, a server of one process, behind a real
HAProxy running deploy/haproxy.cfg (round-robin, websockets passed through, X-Forwarded-For believed from it
alone).

Through the balancer, every answer names the instance that gave it (`X-Winnerr-Backend`, a websocket's on its
handshake), and every test asserts that both instances took part: a mutation through either reaches
subscribers on both, presence is one list, `after` replays on either instance what the other took, and the
sixth failed login is refused though the five before it were spread over both. On api1 itself, the
logs' `pid` says which worker took a socket or a request: a subscription on one worker hears a mutation that
the other handled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.balancer import BACKEND_HEADER, SERVER_NAMES, balancing
from tests.cli import serving
from tests.factories import PASSWORD, Tenant
from tests.live import GraphQLSocket
from tests.test_live import DEAL_UPDATED, EVENTS, ONLINE, PRESENCE, UPDATE_DEAL, new_deal, now
from winnerr.db.enums import Role

T = TypeVar("T")
BACKENDS = set(SERVER_NAMES)
PROXY = "127.0.0.1"
"""HAProxy's address as the instances see it: the one they trust with X-Forwarded-For."""
CLIENT, ANOTHER_CLIENT = "127.0.0.2", "127.0.0.3"
"""Loopback addresses the test's clients connect from, so that the balancer forwards distinct client addresses."""
FAILED_LOGINS_ALLOWED = 5  # RATE_LIMIT_AUTH's default, 5 per 15 minutes
WORKERS = 2
STARTED = "Application startup complete."
"""What uvicorn logs when a worker's app has started."""
MOST_SOCKETS_TO_REACH_EVERY_WORKER = 24
"""Each new connection is accepted by whichever worker the kernel wakes: enough tries to have met both."""


@dataclass(frozen=True)
class Fleet:
    balancer: str
    """HAProxy's host:port."""
    workers: str
    """The base URL of api1 itself: `winnerr serve --workers 2`, like a host with several cores."""
    workers_log: Path
    """api1's standard error: its logs, each line with the `pid` of the worker that wrote it."""


@pytest.fixture(scope="module")
async def fleet(cli_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Fleet]:
    """api1 (two workers) and api2 (one process) behind HAProxy."""
    directory = tmp_path_factory.mktemp("fleet")
    log = directory / "api1.log"
    env = {**cli_env, "TRUSTED_PROXIES": PROXY}
    async with AsyncExitStack() as stack:
        base_urls = await started(stack, serving(env, "--workers", str(WORKERS), log=log), serving(env))
        await workers_started(log, WORKERS)
        with balancing([httpx.URL(url).port or 0 for url in base_urls], directory) as address:
            yield Fleet(address, base_urls[0], log)


async def started(stack: AsyncExitStack, *servers: AbstractAsyncContextManager[str]) -> list[str]:
    """The servers started at once, each until `stack` closes (starting is mostly importing: in parallel, it
    takes the cores there are); their base URLs."""
    async with asyncio.TaskGroup() as group:
        starting = [group.create_task(stack.enter_async_context(server)) for server in servers]
    return [task.result() for task in starting]


def backend(response: httpx.Response) -> str:
    return response.headers[BACKEND_HEADER]


def socket_backend(socket: GraphQLSocket) -> str:
    response = socket.connection.response
    assert response is not None
    return response.headers[BACKEND_HEADER]


@asynccontextmanager
async def through(address: str, source: str = CLIENT, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the balancer at `address`, connecting from the loopback address `source`."""
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=f"http://{address}", transport=transport, **options) as client:
        yield client


@asynccontextmanager
async def one_socket_on_each_backend(address: str, tokens: Sequence[str]) -> AsyncIterator[list[GraphQLSocket]]:
    """A socket per token through the balancer, opened one after the other (round-robin: the next instance
    each time); they must have landed on different instances."""
    async with AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(GraphQLSocket.open(address, token)) for token in tokens]
        assert {socket_backend(socket) for socket in sockets} == BACKENDS
        yield sockets


async def rename(client: httpx.AsyncClient, deal_id: str, title: str) -> str:
    """Rename the deal through the balancer; the instance that took the mutation."""
    variables = {"id": deal_id, "input": {"title": title}}
    response = await client.post("/graphql", json={"query": UPDATE_DEAL, "variables": variables})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return backend(response)


async def test_a_mutation_through_either_instance_reaches_subscribers_on_both(tenant: Tenant, fleet: Fleet) -> None:
    deal_id = await new_deal(tenant)
    after = await now(tenant)
    viewer = tenant.token(Role.VIEWER)
    async with one_socket_on_each_backend(fleet.balancer, [viewer, viewer]) as sockets:
        operations = [await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": after}) for socket in sockets]
        handled_by = set()
        async with through(fleet.balancer, headers=tenant.headers()) as client:
            for title in ("Through one", "Through the other"):
                handled_by.add(await rename(client, deal_id, title))
                for socket, operation in zip(sockets, operations, strict=True):
                    assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == title
        assert handled_by == BACKENDS


async def test_presence_is_one_list_across_instances(tenant: Tenant, fleet: Fleet) -> None:
    after = await now(tenant)
    members = {tenant.emails[Role.OWNER], tenant.emails[Role.AGENT]}
    tokens = [tenant.token(Role.OWNER), tenant.token(Role.AGENT)]
    async with one_socket_on_each_backend(fleet.balancer, tokens) as sockets:
        for socket in sockets:  # each watches presence from its own instance: it hears itself and the other
            operation = await socket.subscribe(PRESENCE, {"after": after})
            heard = [(await socket.next_data(operation))["presence"] for _ in members]
            assert {(event["status"], event["member"]["email"]) for event in heard} == {
                ("ONLINE", email) for email in members
            }
        async with through(fleet.balancer, headers=tenant.headers()) as client:
            answers = [await client.post("/graphql", json={"query": ONLINE}) for _ in BACKENDS]
    assert {backend(answer) for answer in answers} == BACKENDS
    for answer in answers:
        assert {member["email"] for member in answer.json()["data"]["onlineMembers"]} == members


async def test_after_replays_on_either_instance_what_the_other_took(tenant: Tenant, fleet: Fleet) -> None:
    deal_id = await new_deal(tenant)
    after = await now(tenant)
    async with through(fleet.balancer, headers=tenant.headers()) as client:
        handled_by = [await rename(client, deal_id, f"While away {n}") for n in range(3)]
    assert set(handled_by) == BACKENDS
    stored = (await tenant.gql(EVENTS, {"entityId": deal_id, "after": after}))["events"]["items"]
    assert len(stored) == len(handled_by)
    viewer = tenant.token(Role.VIEWER)
    async with one_socket_on_each_backend(fleet.balancer, [viewer, viewer]) as sockets:
        for socket in sockets:  # each replays renames that the other instance took, and its own
            operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": after})
            replayed = [(await socket.next_data(operation))["dealUpdated"]["sequence"] for _ in stored]
            assert replayed == [event["sequence"] for event in stored]
            assert await socket.nothing_for(operation, 0.3)


async def test_the_sixth_failed_login_is_refused_though_the_five_went_to_both(tenant: Tenant, fleet: Fleet) -> None:
    """The count is shared, and keyed on the client's address that the balancer forwarded (a forged
    X-Forwarded-For does not escape it); another client logging in as the same member is not refused."""
    email = tenant.emails[Role.AGENT]
    wrong = {"grant_type": "password", "email": email, "password": "wrong password"}
    right = {**wrong, "password": PASSWORD}
    async with through(fleet.balancer) as client:
        failures = [await client.post("/auth/token", json=wrong) for _ in range(FAILED_LOGINS_ALLOWED)]
        refused = await client.post("/auth/token", json=right)
        forged = await client.post("/auth/token", json=right, headers={"X-Forwarded-For": "203.0.113.9"})
    refusals = [refused, forged]  # the balancer replaced the forged address with the client's own
    assert [failure.json()["error"] for failure in failures] == ["invalid_grant"] * FAILED_LOGINS_ALLOWED
    assert {backend(failure) for failure in failures} == BACKENDS
    assert [refusal.status_code for refusal in refusals] == [429, 429], refusals[0].text
    assert {backend(refusal) for refusal in refusals} == BACKENDS
    assert all(0 < int(refusal.headers["Retry-After"]) <= 15 * 60 for refusal in refusals)
    async with through(fleet.balancer, source=ANOTHER_CLIENT) as elsewhere:
        assert (await elsewhere.post("/auth/token", json=right)).status_code == 200


def log_lines(text: str) -> list[dict[str, Any]]:
    """The JSON lines of a server's standard error (uvicorn's own lines are not JSON)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def written(log: Path, find: Callable[[str], T | None], seconds: float = 5) -> T:
    """What `find` finds in the text of `log`, once it has been written there."""
    async with asyncio.timeout(seconds):
        while True:
            found = find(await asyncio.to_thread(log.read_text))
            if found is not None:
                return found
            await asyncio.sleep(0.05)


async def logged(log: Path, matches: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first JSON line of `log` that `matches`, once it has been written."""
    return await written(log, lambda text: next((line for line in log_lines(text) if matches(line)), None))


async def workers_started(log: Path, workers: int) -> None:
    """Wait until every worker has started its app (the server answers as soon as the first one has)."""
    await written(log, lambda text: text.count(STARTED) >= workers or None, seconds=60)


async def worker_of(socket: GraphQLSocket, log: Path, probe: str) -> int:
    """The process serving `socket`: the `pid` of the log line of a query named `probe` sent over it."""
    await socket.next_data(await socket.subscribe(f"query {probe} {{ me {{ role }} }}"))
    line = await logged(log, lambda line: line["event"] == "operation" and line.get("operation_name") == probe)
    pid: int = line["pid"]
    return pid


@asynccontextmanager
async def a_socket_on_each_worker(host: str, token: str, log: Path) -> AsyncIterator[dict[int, GraphQLSocket]]:
    """Sockets opened one after the other until one is on each worker; those sockets by their worker's pid."""
    by_worker: dict[int, GraphQLSocket] = {}
    async with AsyncExitStack() as stack:
        for attempt in range(MOST_SOCKETS_TO_REACH_EVERY_WORKER):
            socket = await stack.enter_async_context(GraphQLSocket.open(host, token))
            by_worker.setdefault(await worker_of(socket, log, f"Probe{attempt}"), socket)
            if len(by_worker) == WORKERS:
                break
        assert len(by_worker) == WORKERS, f"every socket went to one worker: {set(by_worker)}"
        yield by_worker


async def test_a_subscription_on_one_worker_hears_a_mutation_the_other_handled(tenant: Tenant, fleet: Fleet) -> None:
    deal_id = await new_deal(tenant)
    after = await now(tenant)
    host = httpx.URL(fleet.workers).netloc.decode()
    async with a_socket_on_each_worker(host, tenant.token(Role.VIEWER), fleet.workers_log) as by_worker:
        operations = {
            pid: await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": after})
            for pid, socket in by_worker.items()
        }
        async with httpx.AsyncClient(base_url=fleet.workers, headers=tenant.headers()) as client:
            variables = {"id": deal_id, "input": {"title": "Across workers"}}
            response = await client.post("/graphql", json={"query": UPDATE_DEAL, "variables": variables})
            assert response.status_code == 200, response.text
        request_id = response.headers["X-Request-ID"]
        handled_by = (await logged(fleet.workers_log, lambda line: line.get("request_id") == request_id))["pid"]
        assert handled_by in by_worker
        for pid, socket in by_worker.items():  # the other worker's socket too
            assert (await socket.next_data(operations[pid]))["dealUpdated"]["deal"]["title"] == "Across workers"
