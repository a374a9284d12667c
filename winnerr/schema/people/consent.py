"""The `SmsConsent` type: whether a person may be texted, and since when."""

from __future__ import annotations

from datetime import datetime

import strawberry

from winnerr.db.enums import SmsConsentStatus
from winnerr.db.models import SmsConsent as ConsentRow
from winnerr.schema.described import describe_values

strawberry.enum(
    SmsConsentStatus,
    description="UNKNOWN: they never said. OPTED_OUT: they texted STOP (or a like word). OPTED_IN: START, "
    "UNSTOP or YES since.",
)
describe_values(
    SmsConsentStatus,
    {
        "UNKNOWN": "They have not said either way; texts may be sent.",
        "OPTED_IN": "They texted START, UNSTOP or YES after a STOP; texts may be sent.",
        "OPTED_OUT": "They texted STOP (or a like word); sendSms refuses with CONFLICT.",
    },
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
