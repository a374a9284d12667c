"""Access tokens: issuing our HS256 JWTs and verifying them (and, with `JWKS_URL`, an identity provider's).

Verification pins the algorithms, requires `exp`, `iat` and `sub`, and checks issuer and audience. Which key
verifies a token is its `kid`'s business: our key ring (`keyring`) or the provider's published keys (`jwks`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from winnerr.auth.jwks import provider_keys
from winnerr.auth.keyring import signing_key, verifying_keys
from winnerr.db.enums import Role
from winnerr.errors import Unauthenticated
from winnerr.settings import Settings

OUR_ALGORITHM = "HS256"
PROVIDER_ALGORITHMS = ("RS256", "ES256")
REQUIRED_CLAIMS = ["exp", "iat", "sub"]
READMISSION_CLAIMS = ("email_verified",)
"""The raw claims `resolve_principal` reads besides `Claims`' fields."""


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

    def for_readmission(self) -> Claims:
        """What finding the member again needs (`resolve_principal`), without the token's other claims: a
        websocket keeps its claims for its life, to re-read its membership before each operation."""
        kept = {name: self.raw[name] for name in READMISSION_CLAIMS if name in self.raw}
        return replace(self, raw=kept)


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
    secret, kid = signing_key(settings)
    return AccessToken(jwt.encode(claims, secret, algorithm=OUR_ALGORITHM, headers={"kid": kid}), lifetime)


async def verify_bearer(settings: Settings, token: str) -> Claims:
    """Verify a bearer token or raise `Unauthenticated` (never saying which check failed): ours (HS256, by the
    key its `kid` names, `winnerr.auth.keyring`) or, with `JWKS_URL`, an identity provider's (RS256/ES256, by
    its published keys, `winnerr.auth.jwks`)."""
    try:
        header = jwt.get_unverified_header(token)
        algorithm, kid = header.get("alg"), header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise Unauthenticated()
        if algorithm == OUR_ALGORITHM:
            payload = _ours(settings, token, kid)
        elif algorithm in PROVIDER_ALGORITHMS and settings.jwks_url is not None:
            payload = await _theirs(settings, token, algorithm, kid)
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
        external=algorithm != OUR_ALGORITHM,
    )


def _ours(settings: Settings, token: str, kid: str | None) -> dict[str, Any]:
    for secret in verifying_keys(settings, kid):
        try:
            return _decode(token, secret, OUR_ALGORITHM, settings)
        except jwt.InvalidSignatureError:
            continue  # a token without a `kid`: perhaps signed with another key of the ring
    raise Unauthenticated()


async def _theirs(settings: Settings, token: str, algorithm: str, kid: str | None) -> dict[str, Any]:
    keys = provider_keys(str(settings.jwks_url), settings.jwks_refresh_seconds)
    key = await keys.key_for(kid)
    if key is None or key.algorithm_name != algorithm:
        raise Unauthenticated()
    return _decode(token, key.key, algorithm, settings)


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
