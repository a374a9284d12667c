"""The principals this process resolved recently, by bearer token: most requests skip verification and the
membership read.

A request's principal costs a JWT verification and a membership statement (a pooled connection, BEGIN, the
SELECT, ROLLBACK). Consecutive requests with the same token (and `x-organization-id`) mostly ask the same, so the
answer is kept `MEMBERSHIP_CACHE_SECONDS` (default 5), never past the token's own expiry. Only principals are
kept: a refusal (bad token, not a member) is worked out again every time.

How long a change takes to apply:
- in this process, a member whose role changes or who is removed through the API is forgotten as soon as that
  change commits (`forget_member`): their next request reads the membership again;
- in another process, or after a change made in the database directly, it applies within
  `MEMBERSHIP_CACHE_SECONDS`. Websockets do not use this cache: they re-check at once on a member event.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from winnerr.auth.principal import Principal
from winnerr.db.enums import EventType

CACHE_SIZE = 10_000
"""The most tokens remembered (the least recently used are forgotten first)."""

MEMBER_CHANGES = frozenset({EventType.MEMBER_REMOVED, EventType.MEMBER_ROLE_CHANGED})
"""The events that end or change a membership: their member is forgotten once they commit."""

Key = tuple[str, str | None]
"""A bearer token and the `x-organization-id` it came with."""


@dataclass(frozen=True, slots=True)
class Remembered:
    principal: Principal
    until: float
    """`time.monotonic()` after which the principal is resolved again."""


class PrincipalCache:
    """Principals by (token, requested organization), for `seconds` at most (see the module's docstring)."""

    def __init__(self, seconds: float, size: int = CACHE_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[Key, Remembered] = OrderedDict()

    def get(self, key: Key) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.until <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry.principal

    def put(self, key: Key, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        token_left = principal.expires_at.timestamp() - time.time()
        until = time.monotonic() + min(self.seconds, token_left)
        self._entries[key] = Remembered(principal, until)
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget_member(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Forget every token of this member in this organization (their role changed, or they left)."""
        stale = [
            key
            for key, entry in self._entries.items()
            if (entry.principal.organization_id, entry.principal.user_id) == (organization_id, user_id)
        ]
        for key in stale:
            del self._entries[key]
