"""Access tokens: issuing our HS256 JWTs and verifying them (and, with `JWKS_URL`, an identity provider's).

Verification pins the algorithms, requires `exp`, `iat` and `sub`, and checks issuer and audience.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt

from winnerr.db.enums import Role
from winnerr.errors import Unauthenticated
from winnerr.settings import Settings

OUR_ALGORITHM = "HS256"
PROVIDER_ALGORITHMS = ("RS256", "ES256")
REQUIRED_CLAIMS = ["exp", "iat", "sub"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Claims:
    """What a verified token says. `subject` is our user id; for an identity provider's token (`external`,
    verified through JWKS_URL) it is the provider's id, and the user is the one with its verified `email`."""

    subject: str
    organization_id: str | None
    email: str | None
    expires_at: datetime
    raw: dict[str, Any]
    external: bool = False


def bearer_token(value: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or `Unauthenticated`."""
    scheme, _, token = (value or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    return token.strip()


def issue_access_token(
    settings: Settings, *, user_id: uuid.UUID, organization_id: uuid.UUID, role: Role, ttl: int | None = None
) -> AccessToken:
    lifetime = ttl if ttl is not None else settings.access_token_ttl
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "org": str(organization_id),
        "role": role.value,
        "iat": now,
        "exp": now + timedelta(seconds=lifetime),
        "jti": uuid.uuid4().hex,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return AccessToken(jwt.encode(claims, settings.signing_secret, algorithm=OUR_ALGORITHM), lifetime)


def verify_access_token(settings: Settings, token: str) -> Claims:
    """Verify a bearer token or raise `Unauthenticated` (never saying which check failed)."""
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        external = algorithm != OUR_ALGORITHM
        if algorithm == OUR_ALGORITHM:
            payload = _decode(token, settings.signing_secret, OUR_ALGORITHM, settings)
        elif algorithm in PROVIDER_ALGORITHMS and settings.jwks_url is not None:
            key = _jwks_client(str(settings.jwks_url)).get_signing_key_from_jwt(token).key
            payload = _decode(token, key, algorithm, settings)
        else:
            raise Unauthenticated()
    except jwt.PyJWTError as exc:
        raise Unauthenticated() from exc
    return Claims(
        subject=str(payload["sub"]),
        organization_id=payload.get("org"),
        email=payload.get("email"),
        expires_at=_expiry(payload["exp"]),
        raw=payload,
        external=external,
    )


def _expiry(exp: object) -> datetime:
    """`exp` as a time: a NumericDate (RFC 7519) that a datetime can hold, else the token is refused.
    PyJWT accepts a numeric string ("4000000000") and any size of number; both are signed claims the
    issuer got wrong, never a reason for a 500."""
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        raise Unauthenticated()
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        raise Unauthenticated() from None


async def verify_bearer(settings: Settings, token: str) -> Claims:
    """`verify_access_token` for async callers: an identity provider's token may need its keys fetched
    (PyJWKClient is synchronous, cached for 5 minutes), which then happens off the event loop."""
    try:
        ours = jwt.get_unverified_header(token).get("alg") == OUR_ALGORITHM
    except jwt.PyJWTError as exc:
        raise Unauthenticated() from exc
    if ours:
        return verify_access_token(settings, token)
    return await asyncio.to_thread(verify_access_token, settings, token)


def _decode(token: str, key: Any, algorithm: str, settings: Settings) -> dict[str, Any]:
    payload: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=[algorithm],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        options={"require": REQUIRED_CLAIMS},
    )
    return payload


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300)
