"""Claiming a key before its mutation runs, and recording the answer, in the mutation's transaction.

The claim inserts the key's row; a live row of the same member and key makes it a repeat instead. While
another transaction holds an uncommitted row for the key, PostgreSQL makes the insert wait for it to end (for
at most the wait given, as `lock_timeout` for the claim alone). An expired row is taken over. Each claim also
deletes up to 100 expired keys of the organization that nobody else holds (`SKIP LOCKED`), so the table stays
small.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from winnerr.db.models import IdempotencyKey
from winnerr.db.scope import TenantScope
from winnerr.errors import Conflict
from winnerr.idempotency.keys import IdempotentRequest

TTL_SECONDS = 24 * 3600
LOCK_NOT_AVAILABLE = "55P03"
ANOTHER_REQUEST = "This Idempotency-Key was used for another request; use a new key for a new request"
STILL_RUNNING = "A request with this Idempotency-Key is still running; retry it later to get its answer"

_CLAIM = text(
    """
    WITH waiting AS (
        SELECT set_config('lock_timeout', :wait, true)
    ), expired AS (
        SELECT id FROM idempotency_keys
        WHERE organization_id = :organization_id AND expires_at <= now()
            AND NOT (user_id = :user_id AND key = :key)
        LIMIT 100 FOR UPDATE SKIP LOCKED
    ), swept AS (
        DELETE FROM idempotency_keys WHERE organization_id = :organization_id AND id IN (SELECT id FROM expired)
    )
    INSERT INTO idempotency_keys AS kept (organization_id, user_id, key, fingerprint, expires_at)
    SELECT CAST(:organization_id AS uuid), CAST(:user_id AS uuid), CAST(:key AS text), CAST(:fingerprint AS text),
        now() + make_interval(secs => CAST(:ttl AS float8))
    FROM waiting
    ON CONFLICT (organization_id, user_id, key) DO UPDATE
        SET fingerprint = excluded.fingerprint, answer = NULL, created_at = now(), expires_at = excluded.expires_at
        WHERE kept.expires_at <= now()
    RETURNING kept.id,
        set_config('lock_timeout', (SELECT reset_val FROM pg_settings WHERE name = 'lock_timeout'), true)
    """
)
"""One round trip: the row to insert comes from `waiting`, so `lock_timeout` is set before the insert can wait;
`RETURNING` (evaluated once the row is in) puts it back for the mutation. A repeat returns no row and keeps the
short timeout, but it runs nothing more than reading the first answer before its transaction ends."""


async def claim(
    scope: TenantScope, user_id: uuid.UUID, request: IdempotentRequest, wait_seconds: float
) -> dict[str, Any] | None:
    """Claim the key for this request and return None (the mutation runs, then `record`s its answer), or
    return the answer of the first request with this key; `Conflict` when that was another request, or when
    it is still running after `wait_seconds`."""
    values = {"organization_id": scope.organization_id, "user_id": user_id, "key": request.key}
    wait = f"{max(1, round(wait_seconds * 1000))}ms"
    with _waited_too_long():
        statement = _CLAIM.bindparams(**values, fingerprint=request.fingerprint, ttl=TTL_SECONDS, wait=wait)
        claimed = await scope.execute(statement)
        claimed_id = claimed.scalar()
    if claimed_id is not None:
        return None
    first = (await scope.execute(_key_row(scope, user_id, request.key))).one()
    if first.fingerprint != request.fingerprint or first.answer is None:
        raise Conflict(ANOTHER_REQUEST)
    answer: dict[str, Any] = first.answer
    return answer


async def record(scope: TenantScope, user_id: uuid.UUID, request: IdempotentRequest, answer: dict[str, Any]) -> None:
    """Keep the answer of the request that claimed the key (before its transaction commits)."""
    statement = (
        update(IdempotencyKey)
        .where(scope.where(IdempotencyKey), IdempotencyKey.user_id == user_id, IdempotencyKey.key == request.key)
        .values(answer=answer)
    )
    await scope.execute(statement)


def _key_row(scope: TenantScope, user_id: uuid.UUID, key: str) -> Any:
    return select(IdempotencyKey.fingerprint, IdempotencyKey.answer).where(
        scope.where(IdempotencyKey), IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
    )


@contextmanager
def _waited_too_long() -> Iterator[None]:
    """The first request's transaction outlived the wait (`lock_timeout`): CONFLICT."""
    try:
        yield
    except DBAPIError as exc:
        cause = exc.orig.__cause__ if exc.orig is not None else None
        if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Conflict(STILL_RUNNING) from exc
        raise
