"""Our HS256 signing keys: `JWT_SECRET` signs, it and `JWT_PREVIOUS_SECRETS` verify.

Every token we issue names its key in the `kid` header: the key's RFC 7638 thumbprint (SHA-256 of its JWK), which
identifies the key without revealing it. Rotating `JWT_SECRET` therefore logs nobody out: move the old secret to
`JWT_PREVIOUS_SECRETS`, and tokens signed with it still verify until they expire (`ACCESS_TOKEN_TTL`); then drop
it. A token without a `kid` (issued before kids existed) is tried against every key of the ring.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from winnerr.settings import Settings


@lru_cache(maxsize=16)
def key_id(secret: str) -> str:
    """The RFC 7638 thumbprint of `secret` as an `oct` JWK: base64url(SHA-256 of `{"k":…,"kty":"oct"}`)."""
    k = base64.urlsafe_b64encode(secret.encode()).rstrip(b"=").decode()
    canonical = json.dumps({"k": k, "kty": "oct"}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def signing_key(settings: Settings) -> tuple[str, str]:
    """The key new tokens are signed with, and its `kid`."""
    secret = settings.signing_secret
    return secret, key_id(secret)


def verifying_keys(settings: Settings, kid: str | None) -> list[str]:
    """The keys a token with this `kid` may have been signed with: the one it names (none if the ring does
    not hold it), or every key for a token without a `kid`."""
    ring = [settings.signing_secret, *settings.jwt_previous_secrets]
    if kid is None:
        return ring
    return [secret for secret in ring if key_id(secret) == kid]
