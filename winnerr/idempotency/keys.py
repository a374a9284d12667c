"""The `Idempotency-Key` header of a request, and the fingerprint that tells a repeat from another request."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from winnerr.graphql_http import RequestRefused

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
INVALID_KEY = "The Idempotency-Key header must be 1 to 255 printable ASCII characters (a UUID is a good key)"


@dataclass
class IdempotentRequest:
    """A request's key and fingerprint; `replayed` once its answer came from the first request with that key."""

    key: str
    fingerprint: str
    replayed: bool = False


def idempotent_request(
    header: str | None, query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> IdempotentRequest | None:
    """The request's key (None without the header), or `RequestRefused` for a malformed key."""
    if header is None:
        return None
    key = header.strip()
    if not VALID_KEY.fullmatch(key):
        raise RequestRefused(INVALID_KEY)
    return IdempotentRequest(key, fingerprint(query, operation_name, variables))


def fingerprint(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    """SHA-256 of the operation as sent: the same document, operation name and variables (in any key order)."""
    canonical = json.dumps([query, operation_name, variables or {}], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
