"""An identity provider's signing keys, fetched from its `JWKS_URL` without blocking the event loop.

The key set is fetched with httpx's async client and parsed with PyJWT's `PyJWKSet`, then kept in memory. A
token whose `kid` is not in the set makes it fetch the set again (a provider rotating its keys publishes the new
one first), but never more often than once per `JWKS_REFRESH_SECONDS`: a flood of tokens with made-up `kid`s
costs the provider one request per interval, not one per token. Concurrent verifications share one fetch. The
set is also fetched again once it is an hour old, so a key the provider withdrew stops working within the hour.
A failed fetch keeps the keys already known (and is logged); a token no known key matches is refused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import lru_cache

import httpx
import jwt

FETCH_TIMEOUT_SECONDS = 5.0
MAX_AGE_SECONDS = 3600.0

logger = logging.getLogger("winnerr.auth")


class ProviderKeys:
    """The signing keys published at one JWKS URL, by `kid`."""

    def __init__(self, url: str, refresh_seconds: float) -> None:
        self.url = url
        self.refresh_seconds = refresh_seconds
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        """The key a token with this `kid` header was signed with (no `kid`: the set's only key), or None."""
        key = self._keys.get(kid)
        if key is None or self._stale():
            await self._refresh(kid)
            key = self._keys.get(kid)
        return key

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > MAX_AGE_SECONDS

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= self.refresh_seconds

    async def _refresh(self, kid: str | None) -> None:
        async with self._lock:
            if (kid in self._keys and not self._stale()) or not self._may_fetch():
                return  # another verification fetched it meanwhile, or one did too recently
            self._fetched_at = time.monotonic()
            try:
                self._keys = await self._fetch()
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                logger.warning("Fetching the identity provider's keys from %s failed: %s", self.url, exc)

    async def _fetch(self) -> dict[str | None, jwt.PyJWK]:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True) as client:
            response = await client.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        if not isinstance(document, dict):
            raise ValueError("the JWKS document is not a JSON object")
        signing = [key for key in jwt.PyJWKSet.from_dict(document).keys if key.public_key_use in (None, "sig")]
        keys: dict[str | None, jwt.PyJWK] = {key.key_id: key for key in signing}
        if len(signing) == 1:
            keys[None] = signing[0]
        return keys


@lru_cache(maxsize=8)
def provider_keys(url: str, refresh_seconds: float) -> ProviderKeys:
    """The process's one cache of the keys at `url`."""
    return ProviderKeys(url, refresh_seconds)
