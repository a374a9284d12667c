"""SMS consent: a person's inbound STOP (STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT) opts them
out of texts, START (UNSTOP, YES) back in, as carriers and Twilio's Advanced Opt-Out understand them; the
latest word, by when it was said, wins."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import SmsConsentStatus
from winnerr.db.models import SmsConsent
from winnerr.resolvers.workspace import Workspace

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})


def consent_said(body: str) -> SmsConsentStatus | None:
    """What a text says about consent: a keyword alone (any case, surrounding spaces and a final period
    aside), or nothing."""
    word = body.strip().rstrip(".!").strip().upper()
    if word in OPT_OUT_WORDS:
        return SmsConsentStatus.OPTED_OUT
    if word in OPT_IN_WORDS:
        return SmsConsentStatus.OPTED_IN
    return None


async def record_consent(
    work: Workspace, person_id: uuid.UUID, status: SmsConsentStatus, at: datetime, source: str
) -> None:
    """Store the person's consent unless a later word of theirs is already stored."""
    statement = insert(SmsConsent).values(
        id=person_id, organization_id=work.scope.organization_id, status=status, changed_at=at, source=source[:100]
    )
    excluded = statement.excluded
    await work.scope.execute(
        statement.on_conflict_do_update(
            index_elements=[SmsConsent.organization_id, SmsConsent.id],
            set_={"status": excluded.status, "changed_at": excluded.changed_at, "source": excluded.source},
            where=SmsConsent.changed_at <= excluded.changed_at,
        )
    )


async def consent_of(ctx: Context, person_id: uuid.UUID) -> SmsConsent | None:
    """The person's stored consent (batched across the people of a request), or None: never said."""
    ctx.principal.require(Permission.READ)
    return await ctx.loaders.sms_consent.load(person_id)
