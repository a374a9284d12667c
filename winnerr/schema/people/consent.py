"""The `SmsConsent` type: whether a person may be texted, and since when."""

from __future__ import annotations

from datetime import datetime

import strawberry

from winnerr.db.enums import SmsConsentStatus
from winnerr.db.models import SmsConsent as ConsentRow

strawberry.enum(
    SmsConsentStatus,
    description="UNKNOWN: they never said. OPTED_OUT: they texted STOP (or a like word). OPTED_IN: START, "
    "UNSTOP or YES since.",
)


@strawberry.type(description="A person's consent to texts, as they last said it.")
class SmsConsent:
    status: SmsConsentStatus = strawberry.field(description="Whether they may be texted.")
    changed_at: datetime | None = strawberry.field(description="When they said it; null while UNKNOWN.")
    source: str | None = strawberry.field(
        description="How they said it, e.g. `SMS:STOP` (the keyword of an inbound text); null while UNKNOWN."
    )

    @classmethod
    def of(cls, row: ConsentRow | None) -> SmsConsent:
        if row is None:
            return cls(status=SmsConsentStatus.UNKNOWN, changed_at=None, source=None)
        return cls(status=row.status, changed_at=row.changed_at, source=row.source)
