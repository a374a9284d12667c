"""Claiming a key before its mutation runs, and recording the answer, in the mutation's transaction.

The claim inserts the key's row; a live row of the same member and key makes it a repeat instead. While
another transaction holds an uncommitted row for the key, PostgreSQL makes the insert wait for it to end
(for at most the wait given, as `lock_timeout`). An expired row is taken over. Each claim also deletes up to
100 expired keys of the organization that nobody else holds (`SKIP LOCKED`), so the table stays small.
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
    WITH expired AS (
        SELECT id FROM idempotency_keys
        WHERE organization_id = :organization_id AND expires_at <= now()
            AND NOT (user_id = :user_id AND key = :key)
        LIMIT 100 FOR UPDATE SKIP LOCKED
    ), swept AS (
        DELETE FROM idempotency_keys WHERE id IN (SELECT id FROM expired)
    )
    INSERT INTO idempotency_keys AS kept (organization_id, user_id, key, fingerprint, expires_at)
    VALUES (:organization_id, :user_id, :key, :fingerprint, now() + make_interval(secs => :ttl))
    ON CONFLICT (organization_id, user_id, key) DO UPDATE
        SET fingerprint = excluded.fingerprint, answer = NULL, created_at = now(), expires_at = excluded.expires_at
        WHERE kept.expires_at <= now()
    RETURNING kept.id
    """
)
_WAIT_AT_MOST = text("SELECT set_config('lock_timeout', :milliseconds, true)")
_WAIT_AS_BEFORE = text("SET LOCAL lock_timeout TO DEFAULT")


async def claim(
    scope: TenantScope, user_id: uuid.UUID, request: IdempotentRequest, wait_seconds: float
) -> dict[str, Any] | None:
    """Claim the key for this request and return None (the mutation runs, then `record`s its answer), or
    return the answer of the first request with this key; `Conflict` when that was another request, or when
    it is still running after `wait_seconds`."""
    values = {"organization_id": scope.organization_id, "user_id": user_id, "key": request.key}
    await scope.execute(_WAIT_AT_MOST.bindparams(milliseconds=f"{max(1, round(wait_seconds * 1000))}ms"))
    with _waited_too_long():
        claimed = (await scope.execute(_CLAIM.bindparams(**values, fingerprint=request.fingerprint, ttl=TTL_SECONDS)))
        claimed_id = claimed.scalar()
    await scope.execute(_WAIT_AS_BEFORE)
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
