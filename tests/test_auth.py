"""Authentication: the /auth routes, bearer-token verification, organization selection and offline GraphiQL."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import update

from tests.conftest import TEST_JWT_SECRET
from tests.database import owner_sessions
from tests.factories import PASSWORD, Tenant
from tests.test_rate_limits import instance
from winnerr.db.enums import Role
from winnerr.db.models import Membership
from winnerr.resolvers.organizations import add_member
from winnerr.settings import Settings
from winnerr.state import AppState

ME = "{ me { role user { email } organization { id } } }"
UNAUTHORIZED_BODY = {"errors": [{"message": "Unauthorized", "extensions": {"code": "UNAUTHENTICATED"}}]}
TOKEN_CLAIMS = {"sub", "org", "role", "iat", "exp", "jti", "iss", "aud"}


# --- helpers -------------------------------------------------------------------------------------------------


async def request_token(client: httpx.AsyncClient, fields: dict[str, str], *, as_form: bool = False) -> httpx.Response:
    if as_form:
        return await client.post("/auth/token", data=fields)
    return await client.post("/auth/token", json=fields)


async def password_grant(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    *,
    organization_id: str | None = None,
    as_form: bool = False,
) -> httpx.Response:
    fields = {"grant_type": "password", "email": email, "password": password}
    if organization_id is not None:
        fields["organization_id"] = organization_id
    return await request_token(client, fields, as_form=as_form)


async def refresh_grant(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await request_token(client, {"grant_type": "refresh_token", "refresh_token": refresh_token})


async def log_in(client: httpx.AsyncClient, email: str, organization_id: str | None = None) -> dict[str, Any]:
    """A password grant that must succeed; return the token pair."""
    response = await password_grant(client, email, organization_id=organization_id)
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def assert_invalid_grant(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_grant"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME}, headers=headers)


async def me_data(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await me(client, headers)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]["me"]
    return data


def decode(token: str, settings: Settings) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token, TEST_JWT_SECRET, algorithms=["HS256"], audience=settings.jwt_audience, issuer=settings.jwt_issuer
    )
    return claims


async def join(app_state: AppState, organization_id: uuid.UUID, email: str, role: Role) -> None:
    """Make the existing user with `email` a member of another organization too."""
    async with owner_sessions(app_state).begin() as session:
        await add_member(session, organization_id, email=email, password=PASSWORD, role=role)


# --- forged access tokens ------------------------------------------------------------------------------------


def valid_claims(tenant: Tenant, settings: Settings) -> dict[str, Any]:
    """Claims exactly like the server's own, for the tenant's OWNER."""
    now = int(datetime.now(UTC).timestamp())
    return {
        "sub": str(tenant.user_ids[Role.OWNER]),
        "org": str(tenant.organization_id),
        "role": Role.OWNER.value,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }


def signed(claims: dict[str, Any], key: Any = TEST_JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any]) -> str:
    """An `alg: none` token with an empty signature."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def without(claims: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in claims.items() if key != name}


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def expired(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "iat": claims["iat"] - 3600, "exp": claims["iat"] - 60}


Forgery = Callable[[dict[str, Any]], dict[str, str]]

FORGERIES: dict[str, Forgery] = {
    "no authorization header": lambda claims: {},
    "basic scheme": lambda claims: {"Authorization": f"Basic {signed(claims)}"},
    "bare token without scheme": lambda claims: {"Authorization": signed(claims)},
    "garbage": lambda claims: bearer("not-a.jwt-at.all"),
    "alg none": lambda claims: bearer(unsigned(claims)),
    "wrong key": lambda claims: bearer(signed(claims, key="another-secret-" + "y" * 40)),
    "expired": lambda claims: bearer(signed(expired(claims))),
    "wrong audience": lambda claims: bearer(signed({**claims, "aud": "someone-else"})),
    "wrong issuer": lambda claims: bearer(signed({**claims, "iss": "https://evil.example.com"})),
    "missing exp": lambda claims: bearer(signed(without(claims, "exp"))),
    "missing sub": lambda claims: bearer(signed(without(claims, "sub"))),
    "exp as a numeric string": lambda claims: bearer(signed({**claims, "exp": str(claims["exp"])})),
    "exp past year 9999": lambda claims: bearer(signed({**claims, "exp": 10**12})),
    "exp as a float past year 9999": lambda claims: bearer(signed({**claims, "exp": 1e20})),
    "rs256 without jwks": lambda claims: bearer(signed(claims, key=rsa_key(), algorithm="RS256")),
}


# --- the token endpoint --------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_form", [False, True], ids=["json", "form"])
async def test_password_grant_issues_a_working_token_pair(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, as_form: bool
) -> None:
    response = await password_grant(client, tenant.emails[Role.OWNER], as_form=as_form)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()
    assert pair["token_type"] == "Bearer"
    assert pair["access_token"]
    assert pair["refresh_token"]
    assert pair["expires_in"] == settings.access_token_ttl
    viewer = await me_data(client, bearer(pair["access_token"]))
    assert viewer == {
        "role": "OWNER",
        "user": {"email": tenant.emails[Role.OWNER]},
        "organization": {"id": str(tenant.organization_id)},
    }


async def test_access_token_carries_the_documented_claims(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    pair = await log_in(client, tenant.emails[Role.AGENT])
    claims = decode(pair["access_token"], settings)
    assert set(claims) >= TOKEN_CLAIMS
    assert claims["sub"] == str(tenant.user_ids[Role.AGENT])
    assert claims["org"] == str(tenant.organization_id)
    assert claims["role"] == "AGENT"
    assert (claims["iss"], claims["aud"]) == (settings.jwt_issuer, settings.jwt_audience)
    assert claims["exp"] - claims["iat"] == pair["expires_in"]
    assert claims["jti"] != decode((await log_in(client, tenant.emails[Role.AGENT]))["access_token"], settings)["jti"]


async def test_wrong_password_and_unknown_email_fail_alike(client: httpx.AsyncClient, tenant: Tenant) -> None:
    wrong_password = await password_grant(client, tenant.emails[Role.OWNER], "not the password")
    unknown_email = await password_grant(client, f"nobody-{uuid.uuid4().hex[:8]}@test.example.com")
    assert_invalid_grant(wrong_password)
    assert (unknown_email.status_code, unknown_email.json()) == (wrong_password.status_code, wrong_password.json())


async def test_unknown_grant_type_is_refused(client: httpx.AsyncClient) -> None:
    response = await request_token(client, {"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_organization_id_selects_one_of_the_users_organizations(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, app_state: AppState, settings: Settings
) -> None:
    email = tenant.emails[Role.OWNER]
    await join(app_state, other_tenant.organization_id, email, Role.AGENT)
    pair = await log_in(client, email, organization_id=str(other_tenant.organization_id))
    assert decode(pair["access_token"], settings)["org"] == str(other_tenant.organization_id)
    viewer = await me_data(client, bearer(pair["access_token"]))
    assert viewer["organization"]["id"] == str(other_tenant.organization_id)
    assert viewer["role"] == "AGENT"


async def test_organization_id_of_another_organization_is_invalid_grant(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    email = tenant.emails[Role.OWNER]
    assert_invalid_grant(await password_grant(client, email, organization_id=str(other_tenant.organization_id)))
    assert_invalid_grant(await password_grant(client, email, organization_id="not-a-uuid"))


# --- refresh tokens ------------------------------------------------------------------------------------------


async def test_refresh_grant_rotates_the_pair(client: httpx.AsyncClient, tenant: Tenant) -> None:
    first = await log_in(client, tenant.emails[Role.ADMIN])
    response = await refresh_grant(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second["token_type"] == "Bearer"
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert (await me_data(client, bearer(second["access_token"])))["role"] == "ADMIN"


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await log_in(client, tenant.emails[Role.OWNER])
    rotated = await refresh_grant(client, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    assert_invalid_grant(await refresh_grant(client, first["refresh_token"]))
    assert_invalid_grant(await refresh_grant(client, rotated.json()["refresh_token"]))


async def test_other_sessions_survive_a_revoked_family(client: httpx.AsyncClient, tenant: Tenant) -> None:
    leaked = await log_in(client, tenant.emails[Role.OWNER])
    other_session = await log_in(client, tenant.emails[Role.OWNER])
    await refresh_grant(client, leaked["refresh_token"])
    assert_invalid_grant(await refresh_grant(client, leaked["refresh_token"]))
    assert (await refresh_grant(client, other_session["refresh_token"])).status_code == 200


async def test_unknown_refresh_token_is_invalid_grant(client: httpx.AsyncClient) -> None:
    assert_invalid_grant(await refresh_grant(client, "no-such-token"))


async def test_revoke_answers_200_and_the_token_stops_working(client: httpx.AsyncClient, tenant: Tenant) -> None:
    pair = await log_in(client, tenant.emails[Role.OWNER])
    response = await client.post("/auth/revoke", data={"token": pair["refresh_token"]})
    assert response.status_code == 200
    assert_invalid_grant(await refresh_grant(client, pair["refresh_token"]))


@pytest.mark.parametrize(
    "body",
    [{"data": {"token": "garbage"}}, {"json": {"token": "garbage"}}, {"json": {}}, {"content": b"{not json"}],
    ids=["form-garbage", "json-garbage", "json-empty", "malformed"],
)
async def test_revoke_answers_200_for_anything(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post("/auth/revoke", **body)
    assert response.status_code == 200


# --- verifying access tokens ---------------------------------------------------------------------------------


async def test_a_hand_built_token_with_the_right_key_is_accepted(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    """The control for the forgeries below: each changes just one thing about this token."""
    viewer = await me_data(client, bearer(signed(valid_claims(tenant, settings))))
    assert viewer["user"]["email"] == tenant.emails[Role.OWNER]


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=list(FORGERIES))
async def test_missing_or_forged_tokens_get_the_contract_401(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, forgery: Forgery
) -> None:
    assert settings.jwks_url is None
    response = await me(client, forgery(valid_claims(tenant, settings)))
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED_BODY


async def demote_agent_in_the_database(state: AppState, tenant: Tenant) -> None:
    """Make the tenant's AGENT a VIEWER behind the API's back."""
    async with owner_sessions(state).begin() as session:
        await session.execute(
            update(Membership)
            .where(
                Membership.organization_id == tenant.organization_id,
                Membership.user_id == tenant.user_ids[Role.AGENT],
            )
            .values(role=Role.VIEWER)
        )


async def test_role_comes_from_the_database_not_the_token(
    client: httpx.AsyncClient, tenant: Tenant, app_state: AppState
) -> None:
    pair = await log_in(client, tenant.emails[Role.AGENT])  # its claims say AGENT
    await demote_agent_in_the_database(app_state, tenant)
    assert (await me_data(client, bearer(pair["access_token"])))["role"] == "VIEWER"


async def test_a_role_changed_in_the_database_applies_within_the_membership_cache_seconds(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    pair = await log_in(client, tenant.emails[Role.AGENT])
    async with instance(settings.model_copy(update={"membership_cache_seconds": 0.5})) as (other, state):
        assert (await me_data(other, bearer(pair["access_token"])))["role"] == "AGENT"
        await demote_agent_in_the_database(state, tenant)
        await asyncio.sleep(0.6)
        assert (await me_data(other, bearer(pair["access_token"])))["role"] == "VIEWER"


# --- x-organization-id ---------------------------------------------------------------------------------------


async def test_organization_header_picks_one_of_the_users_organizations(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    await join(app_state, other_tenant.organization_id, tenant.emails[Role.OWNER], Role.VIEWER)
    headers = {**tenant.headers(), "x-organization-id": str(other_tenant.organization_id)}
    viewer = await me_data(client, headers)
    assert viewer["organization"]["id"] == str(other_tenant.organization_id)
    assert viewer["role"] == "VIEWER"
    assert (await me_data(client, tenant.headers()))["organization"]["id"] == str(tenant.organization_id)


@pytest.mark.parametrize("organization", ["other", "malformed"])
async def test_organization_header_of_a_foreign_organization_is_403(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, organization: str
) -> None:
    header = str(other_tenant.organization_id) if organization == "other" else "not-a-uuid"
    response = await me(client, {**tenant.headers(), "x-organization-id": header})
    assert response.status_code == 403
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["PERMISSION_DENIED"]


# --- /auth/debug ---------------------------------------------------------------------------------------------


async def test_debug_shows_the_claims_and_membership_in_development(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    assert not settings.is_production
    pair = await log_in(client, tenant.emails[Role.AGENT])
    response = await client.get("/auth/debug", headers=bearer(pair["access_token"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["claims"] == decode(pair["access_token"], settings)
    assert body["membership"] == {
        "userId": str(tenant.user_ids[Role.AGENT]),
        "email": tenant.emails[Role.AGENT],
        "organizationId": str(tenant.organization_id),
        "role": "AGENT",
        "permissions": ["EXPORT", "READ", "WRITE"],
    }


async def test_debug_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/debug")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED_BODY


# --- rate limiting -------------------------------------------------------------------------------------------


async def test_five_failed_logins_lock_out_that_email_only(client: httpx.AsyncClient, tenant: Tenant) -> None:
    email = tenant.emails[Role.OWNER]
    for _ in range(5):
        assert_invalid_grant(await password_grant(client, email, "wrong password"))
    locked = await password_grant(client, email)
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["retry-after"]) > 0
    assert (await password_grant(client, email.upper())).status_code == 429
    assert (await password_grant(client, tenant.emails[Role.ADMIN])).status_code == 200


async def test_successful_logins_are_not_counted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for _ in range(6):
        await log_in(client, tenant.emails[Role.VIEWER])


# --- GraphiQL ------------------------------------------------------------------------------------------------


async def test_browser_get_serves_offline_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL" in response.text
    assert not re.search(r"https?://", response.text)
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', response.text)
    assert assets
    assert all(asset.startswith("/graphiql/static/") for asset in assets), assets
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert served.content, asset
