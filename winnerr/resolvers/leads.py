"""Lead intake: the person behind an inbound text or call, created as a LEAD when the number is unknown.

However often a number writes or calls (and however many of its deliveries run at once), it becomes one
person: finding and creating hold a transaction-level advisory lock on the organization and the number.
"""

from __future__ import annotations

from sqlalchemy import func, select

from winnerr.db.enums import PersonStatus
from winnerr.db.models import Person
from winnerr.resolvers.workspace import Workspace

UNKNOWN_FIRST_NAME = "Unknown"


async def person_for_phone(work: Workspace, phone: str, channel: str) -> Person:
    """The organization's oldest person with this E.164 number, or a new LEAD with it. `channel` (SMS,
    CALL) is recorded in the lead's customFields as `intake`, the way it reached the organization."""
    scope = work.scope
    key = f"{scope.organization_id}:phone:{phone}"
    await scope.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    found = await scope.first(scope.select(Person).where(Person.phone == phone).order_by(Person.created_at, Person.id))
    if found is not None:
        return found
    lead = Person(
        first_name=UNKNOWN_FIRST_NAME,
        last_name=phone,
        phone=phone,
        status=PersonStatus.LEAD,
        custom_fields={"intake": {"provider": "TWILIO", "channel": channel}},
    )
    return await scope.save(scope.add(lead))
