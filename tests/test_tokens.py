"""Token hardening: our tokens name their key (`kid`) so JWT_SECRET can rotate without logging anyone out, and an
identity provider's tokens are verified with the keys its JWKS endpoint publishes, fetched without blocking the
event loop, cached, fetched again for an unknown `kid` but no more often than JWKS_REFRESH_SECONDS allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import jwt
import pytest

from tests.factories import Tenant
from tests.identity_provider import IdentityProvider, identity_provider
from tests.live import served
from winnerr.auth.tokens import issue_access_token
from winnerr.db.enums import Role
from winnerr.settings import Settings

ME = "{ me { role } }"
OLD_SECRET = "old-" + "Qm9vdHN0cmFwcGVkIGtleSBvbmU" * 2
NEW_SECRET = "new-" + "U2Vjb25kIGtleSwgcm90YXRlZCBpbg" * 2


@asynccontextmanager
async def api(settings: Settings, **changes: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app on a real server of its own, with these settings changed."""
    async with (
        served(settings.model_copy(update=changes)) as address,
        httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as client,
    ):
        yield client


async def role_with(client: httpx.AsyncClient, token: str) -> int | str:
    """The role `me` answers with this token, or the HTTP status that refused it."""
    answer = await client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
    return answer.json()["data"]["me"]["role"] if answer.status_code == 200 else answer.status_code


def agent_token(tenant: Tenant, settings: Settings, secret: str) -> str:
    signing = settings.model_copy(update={"jwt_secret": secret})
    user_id = tenant.user_ids[Role.AGENT]
    return issue_access_token(signing, user_id=user_id, organization_id=tenant.organization_id, role=Role.AGENT).token


# --- our key ring --------------------------------------------------------------------------------------------


def test_issued_tokens_name_their_key_without_revealing_it(tenant: Tenant, settings: Settings) -> None:
    old_kid = jwt.get_unverified_header(agent_token(tenant, settings, OLD_SECRET))["kid"]
    new_kid = jwt.get_unverified_header(agent_token(tenant, settings, NEW_SECRET))["kid"]
    assert old_kid != new_kid
    assert OLD_SECRET not in old_kid
    assert old_kid == jwt.get_unverified_header(agent_token(tenant, settings, OLD_SECRET))["kid"]


async def test_a_rotated_secret_verifies_its_tokens_until_it_leaves_the_ring(
    tenant: Tenant, settings: Settings
) -> None:
    before = agent_token(tenant, settings, OLD_SECRET)
    after = agent_token(tenant, settings, NEW_SECRET)
    async with api(settings, jwt_secret=NEW_SECRET, jwt_previous_secrets=[OLD_SECRET]) as client:
        assert await role_with(client, before) == "AGENT"
        assert await role_with(client, after) == "AGENT"
    async with api(settings, jwt_secret=NEW_SECRET, jwt_previous_secrets=[]) as client:
        assert await role_with(client, before) == 401
        assert await role_with(client, after) == "AGENT"


async def test_a_token_is_checked_with_the_key_its_kid_names_only(tenant: Tenant, settings: Settings) -> None:
    before = agent_token(tenant, settings, OLD_SECRET)
    claims = jwt.decode(before, options={"verify_signature": False})
    new_kid = jwt.get_unverified_header(agent_token(tenant, settings, NEW_SECRET))["kid"]
    claiming_the_new_key = jwt.encode(claims, OLD_SECRET, algorithm="HS256", headers={"kid": new_kid})
    unknown_kid = jwt.encode(claims, OLD_SECRET, algorithm="HS256", headers={"kid": "someone-elses"})
    without_kid = jwt.encode(claims, OLD_SECRET, algorithm="HS256")
    async with api(settings, jwt_secret=NEW_SECRET, jwt_previous_secrets=[OLD_SECRET]) as client:
        assert await role_with(client, claiming_the_new_key) == 401
        assert await role_with(client, unknown_kid) == 401
        assert await role_with(client, without_kid) == "AGENT"  # issued before tokens had a kid


# --- an identity provider's keys (JWKS_URL) ------------------------------------------------------------------


@pytest.fixture
def provider() -> Iterator[IdentityProvider]:
    with identity_provider() as provider:
        yield provider


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
async def test_a_provider_token_is_accepted_and_one_signed_by_another_key_refused(
    tenant: Tenant, settings: Settings, provider: IdentityProvider, algorithm: str
) -> None:
    provider.publish("k1", algorithm)
    impostor = IdentityProvider().publish("k1", algorithm)
    async with api(settings, jwks_url=provider.url) as client:
        assert await role_with(client, provider.token(tenant, "k1")) == "AGENT"
        assert await role_with(client, provider.token(tenant, "k1", key=impostor)) == 401
        assert await role_with(client, provider.token(tenant, "k1", exp=1_700_000_100)) == 401
    assert provider.fetches == 1  # the keys were cached


async def test_an_unknown_kid_fetches_the_keys_again(
    tenant: Tenant, settings: Settings, provider: IdentityProvider
) -> None:
    provider.publish("k1")
    async with api(settings, jwks_url=provider.url, jwks_refresh_seconds=0) as client:
        assert await role_with(client, provider.token(tenant, "k1")) == "AGENT"
        provider.publish("k2")  # the provider rotates: a new key appears
        assert await role_with(client, provider.token(tenant, "k2")) == "AGENT"
        assert await role_with(client, provider.token(tenant, "k1")) == "AGENT"
    assert provider.fetches == 2


async def test_fetching_for_unknown_kids_is_rate_limited(
    tenant: Tenant, settings: Settings, provider: IdentityProvider
) -> None:
    provider.publish("k1")
    async with api(settings, jwks_url=provider.url, jwks_refresh_seconds=3600) as client:
        assert await role_with(client, provider.token(tenant, "k1")) == "AGENT"
        made_up = [provider.token(tenant, f"made-up-{n}", key=provider.published["k1"][1]) for n in range(20)]
        assert await asyncio.gather(*(role_with(client, token) for token in made_up)) == [401] * 20
    assert provider.fetches == 1


async def test_the_event_loop_serves_others_while_the_keys_are_fetched(
    tenant: Tenant, settings: Settings, provider: IdentityProvider
) -> None:
    provider.publish("k1")
    provider.answer.clear()  # the provider holds its answer
    async with api(settings, jwks_url=provider.url) as client:
        waiting = asyncio.create_task(role_with(client, provider.token(tenant, "k1")))
        assert await asyncio.to_thread(provider.asked.wait, 10)
        health = await asyncio.wait_for(client.get("/health"), 10)
        assert health.status_code == 200
        assert not waiting.done()
        provider.answer.set()
        assert await waiting == "AGENT"


async def test_auth_debug_answers_404_when_switched_off(tenant: Tenant, settings: Settings) -> None:
    async with api(settings, auth_debug=False) as client:
        response = await client.get("/auth/debug", headers=tenant.headers())
    assert response.status_code == 404
