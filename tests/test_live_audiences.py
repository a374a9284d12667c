"""One execution per event per audience: subscribers asking the same thing in the same organization with the
same role share one execution of the selection; other roles, fields personal to a member and other
organizations never share it.

Counted by the statements the serving process runs to deliver an event: the event's row is loaded once for
the whole organization, then each execution of the selection loads the deal's person once."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from tests.factories import Tenant
from tests.live import GraphQLSocket, served_app
from tests.test_live import new_deal, now, rename
from tests.test_members import UPDATE_ROLE, user
from tests.test_statement_count import counting_statements
from winnerr.db.enums import Role
from winnerr.settings import Settings
from winnerr.state import AppState

WITH_PERSON = """subscription($id: ID, $after: Int) {
  dealUpdated(id: $id, after: $after) { sequence deal { title person { fullName } } }
}"""
WITH_FAVORITE = """subscription($id: ID, $after: Int) {
  dealUpdated(id: $id, after: $after) { deal { title isFavorite } }
}"""
ANY_DEAL = "subscription($after: Int) { dealUpdated(after: $after) { sequence deal { title } } }"
FAVORITE = "mutation($id: ID!) { favoriteDeal(id: $id) { id } }"
ROW = 1  # the event's row, loaded once for every subscriber of the organization
PERSON = 1  # the deal's person, loaded once by each execution of WITH_PERSON

Subscribed = list[tuple[GraphQLSocket, str]]


async def subscribed(
    stack: contextlib.AsyncExitStack,
    host: str,
    tenant: Tenant,
    roles: Sequence[Role],
    query: str,
    deal_id: str,
    already: Sequence[tuple[GraphQLSocket, str]] = (),
) -> Subscribed:
    """One socket per role, each subscribed to `query` about the deal, and live (the sockets `already`
    subscribed hear the warm-up too)."""
    after = await now(tenant)
    sockets = []
    for role in roles:
        socket = await stack.enter_async_context(GraphQLSocket.open(host, tenant.token(role)))
        sockets.append((socket, await socket.subscribe(query, {"id": deal_id, "after": after})))
    await heard(tenant, [*already, *sockets], deal_id, "Warm-up: every subscription is live once it has heard this")
    return sockets


async def heard(tenant: Tenant, sockets: Subscribed, deal_id: str, title: str) -> list[dict[str, object]]:
    """Rename the deal; what each socket heard of it."""
    await rename(tenant, deal_id, title)
    events = [(await socket.next_data(operation))["dealUpdated"] for socket, operation in sockets]
    assert all(event["deal"]["title"] == title for event in events), events
    return events


async def statements_to_deliver(state: AppState, tenant: Tenant, sockets: Subscribed, deal_id: str) -> int:
    with counting_statements(state) as executed:
        await heard(tenant, sockets, deal_id, "Counted")
    return len(executed)


def patient(settings: Settings) -> Settings:
    """A long presence grace period: a socket of an earlier round is not settled (a statement) while counting."""
    return settings.model_copy(update={"presence_grace_seconds": 60.0})


async def test_subscribers_of_one_role_share_one_execution_and_roles_do_not(tenant: Tenant, settings: Settings) -> None:
    deal_id = await new_deal(tenant)
    async with served_app(patient(settings)) as (host, state), contextlib.AsyncExitStack() as stack:
        agents = await subscribed(stack, host, tenant, [Role.AGENT] * 5, WITH_PERSON, deal_id)
        assert await statements_to_deliver(state, tenant, agents, deal_id) == ROW + PERSON
        viewers = await subscribed(stack, host, tenant, [Role.VIEWER] * 3, WITH_PERSON, deal_id, agents)
        assert await statements_to_deliver(state, tenant, agents + viewers, deal_id) == ROW + 2 * PERSON


async def test_a_role_change_moves_the_socket_to_its_new_audience_at_once(tenant: Tenant, settings: Settings) -> None:
    deal_id = await new_deal(tenant)
    async with served_app(patient(settings)) as (host, state), contextlib.AsyncExitStack() as stack:
        sockets = await subscribed(stack, host, tenant, [Role.AGENT, Role.VIEWER], WITH_PERSON, deal_id)
        assert await statements_to_deliver(state, tenant, sockets, deal_id) == ROW + 2 * PERSON
        await tenant.gql(UPDATE_ROLE, {"userId": user(tenant, Role.VIEWER), "role": "AGENT"})
        await heard(tenant, sockets, deal_id, "After the role change")
        assert await statements_to_deliver(state, tenant, sockets, deal_id) == ROW + PERSON


async def test_fields_personal_to_a_member_are_answered_for_each_member(tenant: Tenant, settings: Settings) -> None:
    deal_id = await new_deal(tenant)
    await tenant.gql(UPDATE_ROLE, {"userId": user(tenant, Role.ADMIN), "role": "AGENT"})
    await tenant.as_role(Role.AGENT).gql(FAVORITE, {"id": deal_id})
    async with served_app(settings) as (host, _), contextlib.AsyncExitStack() as stack:
        sockets = await subscribed(stack, host, tenant, [Role.AGENT, Role.ADMIN], WITH_FAVORITE, deal_id)
        favorite, other = await heard(tenant, sockets, deal_id, "Same role, two members")
        assert (favorite["deal"]["isFavorite"], other["deal"]["isFavorite"]) == (True, False)  # type: ignore[index]


async def test_organizations_never_share_an_answer(tenant: Tenant, other_tenant: Tenant, host: str) -> None:
    """Sequences are per organization: both organizations' next events get the same sequence, and the same
    subscription with the same role must still show each its own deal."""
    organizations = [(tenant, await new_deal(tenant, "Ours")), (other_tenant, await new_deal(other_tenant, "Theirs"))]
    async with contextlib.AsyncExitStack() as stack:
        sockets = []
        for organization, _ in organizations:
            socket = await stack.enter_async_context(GraphQLSocket.open(host, organization.token(Role.AGENT)))
            sockets.append((socket, await socket.subscribe(ANY_DEAL, {"after": await now(organization)})))
        (behind, behind_deal), ahead = sorted(organizations, key=lambda pair: id(pair[0]))
        if await now(behind) > await now(ahead[0]):
            (behind, behind_deal), ahead = ahead, (behind, behind_deal)
        while await now(behind) < await now(ahead[0]):
            await rename(behind, behind_deal, "Catching up")
        finals = []
        for (organization, deal_id), (socket, operation) in zip(organizations, sockets, strict=True):
            title = f"{organization.organization_id} renamed"
            await rename(organization, deal_id, title)
            while (event := (await socket.next_data(operation))["dealUpdated"])["deal"]["title"] != title:
                assert event["deal"]["title"] in ("Ours", "Theirs", "Catching up"), event
            finals.append(event["sequence"])
        assert finals[0] == finals[1], "both events had the same sequence"
