"""At most `EXPORTS_PER_ORGANIZATION` exports of an organization at once, across every instance.

An export holds one of its organization's slots: a PostgreSQL transaction-level advisory lock on
(hash of "export" and the organization, slot number), taken with `pg_try_advisory_xact_lock` in the export's own
transaction. So the count is shared by every process on the database, and a slot is given back when the
export's transaction ends, however it ends (finished, failed, client gone, process killed). When every slot
is taken the export is refused with 429 and `Retry-After`.
"""

from __future__ import annotations

from sqlalchemy import func, select

from winnerr.db.scope import TenantScope
from winnerr.errors import RateLimited

RETRY_AFTER_SECONDS = 5
"""What a refused export is told to wait: about what a 200,000-row export takes."""


async def take_slot(scope: TenantScope, slots: int) -> int:
    """Take a free export slot of the scope's organization for the rest of its transaction; its number.

    Tried one at a time, so no more than one is ever taken. Raise `RateLimited` when all are taken."""
    key = func.hashtext(f"winnerr-export:{scope.organization_id}")
    for slot in range(slots):
        if (await scope.execute(select(func.pg_try_advisory_xact_lock(key, slot)))).scalar_one():
            return slot
    raise RateLimited(RETRY_AFTER_SECONDS)
