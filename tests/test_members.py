"""Members: `members` (roles, last seen), `addMember` (an existing user joins; a new e-mail gets an invitation to
set a password), `updateMemberRole` and `removeMember`, their rules, their events, and their reach into open
websockets (a removed member's sockets close at once and hear nothing more) and HTTP (their tokens stop at once)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from tests.database import owner_sessions
from tests.factories import PASSWORD, Tenant
from tests.live import GraphQLSocket
from tests.test_live import DEAL_UPDATED, new_deal, now, rename
from winnerr.db.enums import EventType, Role
from winnerr.db.models import Membership
from winnerr.state import AppState
from winnerr.subscriptions.events import Change, write_events

UPDATE_ROLE = """mutation($userId: ID!, $role: Role!) {
  updateMemberRole(userId: $userId, role: $role) { user { id email } role }
}"""
REMOVE = "mutation($userId: ID!) { removeMember(userId: $userId) { user { id email } role } }"
MEMBER_EVENTS = "query($type: EventType) { events(type: $type) { items { type entityId actorId } } }"
ME = "{ me { role } }"
MEMBERS = "{ members { items { user { id email fullName } role lastSeenAt } pagination { total } } }"
ADD = """mutation($email: String!, $role: Role!) {
  addMember(email: $email, role: $role) { member { user { id email } role } invitationToken }
}"""
CREATE_PERSON = 'mutation { createPerson(input: {firstName: "Ann", lastName: "Lee"}) { id } }'


def user(tenant: Tenant, role: Role) -> str:
    return str(tenant.user_ids[role])


async def role_of(tenant: Tenant, role: Role) -> str:
    me: str = (await tenant.as_role(role).gql(ME))["me"]["role"]
    return me


async def test_an_owner_changes_a_role_at_once_and_the_audit_log_says_so(tenant: Tenant) -> None:
    changed = await tenant.gql(UPDATE_ROLE, {"userId": user(tenant, Role.AGENT), "role": "VIEWER"})
    assert changed["updateMemberRole"] == {
        "user": {"id": user(tenant, Role.AGENT), "email": tenant.emails[Role.AGENT]},
        "role": "VIEWER",
    }
    assert await role_of(tenant, Role.AGENT) == "VIEWER"
    refused = await tenant.as_role(Role.AGENT).gql_error(CREATE_PERSON)
    assert refused["extensions"]["code"] == "PERMISSION_DENIED"
    events = (await tenant.gql(MEMBER_EVENTS, {"type": "MEMBER_ROLE_CHANGED"}))["events"]["items"]
    assert events == [
        {"type": "MEMBER_ROLE_CHANGED", "entityId": user(tenant, Role.AGENT), "actorId": user(tenant, Role.OWNER)}
    ]


async def test_an_admin_removes_a_member_who_then_has_no_access(tenant: Tenant) -> None:
    removed = (await tenant.as_role(Role.ADMIN).gql(REMOVE, {"userId": user(tenant, Role.VIEWER)}))["removeMember"]
    assert removed == {"user": {"id": user(tenant, Role.VIEWER), "email": tenant.emails[Role.VIEWER]}, "role": "VIEWER"}
    error = await tenant.as_role(Role.VIEWER).gql_error(ME)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    events = (await tenant.gql(MEMBER_EVENTS))["events"]["items"]
    assert events == [
        {"type": "MEMBER_REMOVED", "entityId": user(tenant, Role.VIEWER), "actorId": user(tenant, Role.ADMIN)}
    ]


async def test_a_members_recent_tokens_follow_a_change_at_once(tenant: Tenant) -> None:
    """A token's principal is remembered for a few seconds (MEMBERSHIP_CACHE_SECONDS), but a change through the
    API applies to that very token's next request."""
    agent, viewer = tenant.token(Role.AGENT), tenant.token(Role.VIEWER)

    async def me_with(token: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        response = await tenant.client.post("/graphql", json={"query": ME}, headers=headers)
        body: dict[str, Any] = response.json()
        return body

    assert (await me_with(agent))["data"]["me"]["role"] == "AGENT"
    assert (await me_with(viewer))["data"]["me"]["role"] == "VIEWER"
    await tenant.gql(UPDATE_ROLE, {"userId": user(tenant, Role.AGENT), "role": "VIEWER"})
    await tenant.gql(REMOVE, {"userId": user(tenant, Role.VIEWER)})
    assert (await me_with(agent))["data"]["me"]["role"] == "VIEWER"
    assert (await me_with(viewer))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
async def test_agents_and_viewers_cannot_manage_members(tenant: Tenant, role: Role) -> None:
    other = Role.VIEWER if role is Role.AGENT else Role.AGENT
    as_member = tenant.as_role(role)
    for document, variables in (
        (UPDATE_ROLE, {"userId": user(tenant, other), "role": "ADMIN"}),
        (REMOVE, {"userId": user(tenant, other)}),
    ):
        assert (await as_member.gql_error(document, variables))["extensions"]["code"] == "PERMISSION_DENIED"
    assert await role_of(tenant, other) == other.value


async def test_an_admin_can_neither_grant_nor_touch_the_owner_role(tenant: Tenant) -> None:
    admin = tenant.as_role(Role.ADMIN)
    for document, variables in (
        (UPDATE_ROLE, {"userId": user(tenant, Role.AGENT), "role": "OWNER"}),
        (UPDATE_ROLE, {"userId": user(tenant, Role.OWNER), "role": "AGENT"}),
        (REMOVE, {"userId": user(tenant, Role.OWNER)}),
    ):
        error = await admin.gql_error(document, variables)
        assert error["extensions"]["code"] == "PERMISSION_DENIED", error
    assert (await role_of(tenant, Role.OWNER), await role_of(tenant, Role.AGENT)) == ("OWNER", "AGENT")
    assert (await tenant.gql(MEMBER_EVENTS))["events"]["items"] == []


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_nobody_changes_their_own_role_or_removes_themselves(tenant: Tenant, role: Role) -> None:
    me = tenant.as_role(role)
    for document, variables in (
        (UPDATE_ROLE, {"userId": user(tenant, role), "role": "VIEWER"}),
        (REMOVE, {"userId": user(tenant, role)}),
    ):
        error = await me.gql_error(document, variables)
        assert error["extensions"]["code"] == "PERMISSION_DENIED", error
    assert await role_of(tenant, role) == role.value


async def test_a_member_of_another_organization_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    for target in (str(other_tenant.user_ids[Role.AGENT]), str(uuid.uuid4()), "not-an-id"):
        error = await tenant.gql_error(REMOVE, {"userId": target})
        assert error["extensions"]["code"] == "NOT_FOUND", error
    assert await role_of(other_tenant, Role.AGENT) == "AGENT"


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(tenant: Tenant) -> None:
    await tenant.gql(UPDATE_ROLE, {"userId": user(tenant, Role.ADMIN), "role": "OWNER"})
    first, second = tenant.as_role(Role.OWNER), tenant.as_role(Role.ADMIN)  # both OWNERs now
    answers = await asyncio.gather(
        first.post(UPDATE_ROLE, {"userId": user(tenant, Role.ADMIN), "role": "AGENT"}),
        second.post(UPDATE_ROLE, {"userId": user(tenant, Role.OWNER), "role": "AGENT"}),
    )
    codes = sorted(
        answer.json().get("errors", [{"extensions": {"code": "OK"}}])[0]["extensions"]["code"] for answer in answers
    )
    assert codes in (["OK", "PERMISSION_DENIED"], ["CONFLICT", "OK"])
    roles = sorted([await role_of(tenant, Role.OWNER), await role_of(tenant, Role.ADMIN)])
    assert roles == ["AGENT", "OWNER"]


async def test_a_removed_members_socket_closes_at_once_and_hears_nothing_more(tenant: Tenant, host: str) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        await rename(tenant, deal_id, "Heard while a member")
        assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == "Heard while a member"
        await tenant.gql(REMOVE, {"userId": user(tenant, Role.AGENT)})
        await rename(tenant, deal_id, "Said right after the removal")
        await asyncio.wait_for(socket.closed(), 10)  # the periodic re-check would take up to 30 s
        assert (socket.connection.close_code, socket.connection.close_reason) == (4403, "Membership ended")
        assert await socket.nothing_for(operation, 0)


async def test_an_event_resolved_after_the_removal_committed_is_held_back(
    tenant: Tenant, host: str, app_state: AppState
) -> None:
    deal_id = await new_deal(tenant)
    agent = tenant.user_ids[Role.AGENT]
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        await rename(tenant, deal_id, "Heard while a member")
        await socket.next_data(operation)
        bound = app_state.database.session_for(tenant.organization_id)
        async with bound as session, session.begin():  # committed before the removal...
            late = await write_events(
                session, tenant.organization_id, None, [Change(EventType.DEAL_UPDATED, uuid.UUID(deal_id))]
            )
        async with owner_sessions(app_state).begin() as session:
            await session.execute(
                delete(Membership).where(
                    Membership.organization_id == tenant.organization_id, Membership.user_id == agent
                )
            )
            await write_events(session, tenant.organization_id, None, [Change(EventType.MEMBER_REMOVED, agent)])
        await app_state.hub.publish(late)  # ...but told, and resolved, after it: it must not reach the agent
        await asyncio.wait_for(socket.closed(), 10)
        assert socket.connection.close_code == 4403
        assert await socket.nothing_for(operation, 0)


async def test_a_changed_role_applies_to_the_open_socket(tenant: Tenant, host: str) -> None:
    deal_id = await new_deal(tenant)
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"id": deal_id, "after": await now(tenant)})
        await tenant.gql(UPDATE_ROLE, {"userId": user(tenant, Role.AGENT), "role": "VIEWER"})
        await rename(tenant, deal_id, "Heard as a viewer")
        assert (await socket.next_data(operation))["dealUpdated"]["deal"]["title"] == "Heard as a viewer"
        attempt = await socket.subscribe(CREATE_PERSON)
        refused = await socket.next_message(attempt)
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED", refused


async def test_a_removal_alone_closes_a_subscribed_socket(tenant: Tenant, host: str) -> None:
    async with GraphQLSocket.open(host, tenant.token(Role.AGENT)) as socket:
        operation = await socket.subscribe(DEAL_UPDATED, {"after": await now(tenant)})
        await tenant.gql(REMOVE, {"userId": user(tenant, Role.AGENT)})
        await asyncio.wait_for(socket.closed(), 10)  # on the MEMBER_REMOVED event, not the 30 s re-check
        assert socket.connection.close_code == 4403
        assert await socket.nothing_for(operation, 0)


def token_request(client: httpx.AsyncClient, **fields: str) -> Awaitable[httpx.Response]:
    return client.post("/auth/token", json=fields)


async def members_by_email(tenant: Tenant) -> dict[str, dict[str, Any]]:
    items = (await tenant.gql(MEMBERS))["members"]["items"]
    return {item["user"]["email"]: item for item in items}


async def test_every_member_reads_the_members_with_roles_and_last_seen(tenant: Tenant) -> None:
    before = await members_by_email(tenant.as_role(Role.VIEWER))
    assert {email: item["role"] for email, item in before.items()} == {
        email: role.value for role, email in tenant.emails.items()
    }
    assert {item["lastSeenAt"] for item in before.values()} == {None}, "tokens minted by the tests leave no trace"
    logged_in = await token_request(
        tenant.client, grant_type="password", email=tenant.emails[Role.AGENT], password=PASSWORD
    )
    assert logged_in.status_code == 200
    after = await members_by_email(tenant.as_role(Role.VIEWER))
    assert after[tenant.emails[Role.AGENT]]["lastSeenAt"] is not None
    assert after[tenant.emails[Role.ADMIN]]["lastSeenAt"] is None


async def test_an_existing_user_joins_at_once(tenant: Tenant, other_tenant: Tenant) -> None:
    email = other_tenant.emails[Role.AGENT]
    added = (await tenant.as_role(Role.ADMIN).gql(ADD, {"email": email.upper(), "role": "VIEWER"}))["addMember"]
    user_id = str(other_tenant.user_ids[Role.AGENT])
    assert added == {"member": {"user": {"id": user_id, "email": email}, "role": "VIEWER"}, "invitationToken": None}
    joined = other_tenant.as_role(Role.AGENT)
    joined.extra_headers = {"x-organization-id": str(tenant.organization_id)}
    assert (await joined.gql(ME))["me"]["role"] == "VIEWER"
    assert await role_of(other_tenant, Role.AGENT) == "AGENT", "their other membership is untouched"
    events = (await tenant.gql(MEMBER_EVENTS, {"type": "MEMBER_ADDED"}))["events"]["items"]
    assert events == [{"type": "MEMBER_ADDED", "entityId": user_id, "actorId": user(tenant, Role.ADMIN)}]
    again = await tenant.gql_error(ADD, {"email": email, "role": "AGENT"})
    assert again["extensions"]["code"] == "DUPLICATE_RECORD"


async def test_a_new_email_gets_an_invitation_to_set_a_password(tenant: Tenant) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@test.example.com"
    added = (await tenant.gql(ADD, {"email": email, "role": "AGENT"}))["addMember"]
    assert added["member"]["role"] == "AGENT"
    token = added["invitationToken"]
    assert token
    assert (await members_by_email(tenant))[email]["role"] == "AGENT"
    chosen = "a password of my own"
    refused = await token_request(tenant.client, grant_type="password", email=email, password=chosen)
    assert refused.json()["error"] == "invalid_grant", "no password before the invitation is accepted"
    short = await token_request(tenant.client, grant_type="invitation", invitation_token=token, password="short")
    assert short.json()["error"] == "invalid_grant"
    accepted = await token_request(
        tenant.client, grant_type="invitation", invitation_token=token, password=chosen
    )
    assert accepted.status_code == 200, accepted.text
    me = await tenant.client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {accepted.json()['access_token']}"}
    )
    assert me.json()["data"] == {"me": {"role": "AGENT"}}
    twice = await token_request(
        tenant.client, grant_type="invitation", invitation_token=token, password=chosen
    )
    assert twice.json()["error"] == "invalid_grant"
    assert (await token_request(tenant.client, grant_type="password", email=email, password=chosen)).status_code == 200


async def test_removing_an_invited_member_voids_the_invitation(tenant: Tenant) -> None:
    added = (await tenant.gql(ADD, {"email": f"gone-{uuid.uuid4().hex[:8]}@test.example.com", "role": "VIEWER"}))
    invited = added["addMember"]
    await tenant.gql(REMOVE, {"userId": invited["member"]["user"]["id"]})
    accepted = await token_request(
        tenant.client, grant_type="invitation", invitation_token=invited["invitationToken"], password="long enough"
    )
    assert accepted.json()["error"] == "invalid_grant"


async def test_adding_members_follows_the_role_rules(tenant: Tenant) -> None:
    email = f"rules-{uuid.uuid4().hex[:8]}@test.example.com"
    for role, document_role, code in (
        (Role.ADMIN, "OWNER", "PERMISSION_DENIED"),
        (Role.AGENT, "VIEWER", "PERMISSION_DENIED"),
        (Role.VIEWER, "VIEWER", "PERMISSION_DENIED"),
    ):
        error = await tenant.as_role(role).gql_error(ADD, {"email": email, "role": document_role})
        assert error["extensions"]["code"] == code, (role, error)
    invalid = await tenant.gql_error(ADD, {"email": "not an e-mail", "role": "AGENT"})
    assert invalid["extensions"]["code"] == "VALIDATION_ERROR"
    assert email not in await members_by_email(tenant)
    assert (await tenant.gql(MEMBER_EVENTS))["events"]["items"] == []
    owner = (await tenant.gql(ADD, {"email": email, "role": "OWNER"}))["addMember"]
    assert owner["member"]["role"] == "OWNER", "an OWNER may grant OWNER"
