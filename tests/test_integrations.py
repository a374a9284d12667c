"""Integrations: provider accounts connected to an organization by its OWNER or ADMIN (issue 10, point 1)."""

from __future__ import annotations

import httpx

from tests.cli import graphql, succeeded, winnerr_async
from tests.factories import Tenant
from tests.providers import CONNECT, connect, phone_number
from winnerr.db.enums import Role

LIST = "{ integrations { id provider externalId label status } }"
DISCONNECT = "mutation($id: ID!) { disconnectIntegration(id: $id) }"


async def test_owner_connects_lists_and_disconnects_accounts(tenant: Tenant) -> None:
    number = phone_number()
    national = f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    twilio = await connect(tenant, "TWILIO", national, "Front desk")
    assert twilio == {
        "id": twilio["id"],
        "provider": "TWILIO",
        "externalId": number,
        "label": "Front desk",
        "status": "ACTIVE",
    }
    admin = tenant.as_role(Role.ADMIN)
    grant = await connect(admin, "NYLAS", "grant-" + number, "Office@Example.COM")
    assert grant["label"] == "office@example.com"
    customer = await connect(tenant, "STRIPE", "cus_" + number[1:])

    listed = (await tenant.gql(LIST))["integrations"]
    assert [row["provider"] for row in listed] == ["TWILIO", "NYLAS", "STRIPE"]
    assert await tenant.gql(DISCONNECT, {"id": customer["id"]}) == {"disconnectIntegration": customer["id"]}
    assert [row["id"] for row in (await tenant.gql(LIST))["integrations"]] == [twilio["id"], grant["id"]]


async def test_an_account_belongs_to_one_organization_only(tenant: Tenant, other_tenant: Tenant) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    error = await other_tenant.gql_error(CONNECT, {"input": {"provider": "TWILIO", "externalId": number}})
    assert error["extensions"]["code"] == "DUPLICATE_RECORD"
    assert error["message"] == "This provider account is already connected to an organization"
    assert (await other_tenant.gql(LIST))["integrations"] == []
    mine = (await tenant.gql(LIST))["integrations"]
    missing = await other_tenant.gql_error(DISCONNECT, {"id": mine[0]["id"]})
    assert missing["extensions"]["code"] == "NOT_FOUND"


async def test_agents_and_viewers_may_not_manage_integrations(tenant: Tenant) -> None:
    for role in (Role.AGENT, Role.VIEWER):
        member = tenant.as_role(role)
        denied = await member.gql_error(CONNECT, {"input": {"provider": "TWILIO", "externalId": phone_number()}})
        assert denied["extensions"]["code"] == "PERMISSION_DENIED"
        assert (await member.gql_error(LIST))["extensions"]["code"] == "PERMISSION_DENIED"
    assert (await tenant.gql(LIST))["integrations"] == []


async def test_each_provider_checks_its_own_account_id(tenant: Tenant) -> None:
    cases = [
        ({"provider": "TWILIO", "externalId": "not a number"}, ["input", "externalId"]),
        ({"provider": "NYLAS", "externalId": "grant-1"}, ["input", "label"]),
        ({"provider": "NYLAS", "externalId": "grant-1", "label": "not-an-address"}, ["input", "label"]),
        ({"provider": "STRIPE", "externalId": "acct_123"}, ["input", "externalId"]),
    ]
    for given, path in cases:
        error = await tenant.gql_error(CONNECT, {"input": given})
        assert error["extensions"]["code"] == "VALIDATION_ERROR", given
        assert [issue["path"] for issue in error["extensions"]["issues"]] == [path], error
    assert (await tenant.gql(LIST))["integrations"] == []


async def test_seed_demo_connects_the_demo_number_and_grant(cli_env: dict[str, str], client: httpx.AsyncClient) -> None:
    succeeded(await winnerr_async(cli_env, "seed-demo"))
    succeeded(await winnerr_async(cli_env, "seed-demo"))
    token = succeeded(await winnerr_async(cli_env, "token", "--email", "owner@demo.example.com"))
    listed = (await graphql(client, token, LIST))["integrations"]
    assert [(row["provider"], row["externalId"], row["status"]) for row in listed] == [
        ("TWILIO", "+14155550100", "ACTIVE"),
        ("NYLAS", "demo-realty-grant", "ACTIVE"),
    ]
    assert listed[1]["label"] == "office@demo-realty.example.com"
