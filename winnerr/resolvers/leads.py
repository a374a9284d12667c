"""Lead intake: the person behind an inbound text or call, created as a LEAD when the number is unknown; and
`captureLead`, for website forms and lead portals, which explains how it matched (`MatchedBy`).

However often a number writes or calls (and however many of its deliveries run at once), it becomes one
person: finding and creating hold a transaction-level advisory lock on the organization and the number. An
e-mail is matched lower-cased, and the unique index on it decides between two captures racing to create it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import model_validator
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import CommunicationChannel, Direction, LeadSource, PersonStatus
from winnerr.db.models import Person, Property
from winnerr.db.scope import TenantScope
from winnerr.resolvers import records
from winnerr.resolvers.communications import record_communication
from winnerr.resolvers.validation import Email, Phone, Required100, Rules, Text10000, validate
from winnerr.resolvers.workspace import Workspace

UNKNOWN_FIRST_NAME = "Unknown"


async def person_for_phone(work: Workspace, phone: str, channel: str) -> Person:
    """The organization's oldest person with this E.164 number, or a new LEAD with it. `channel` (SMS,
    CALL) is recorded in the lead's customFields as `intake`, the way it reached the organization."""
    scope = work.scope
    await _lock_phone(scope, phone)
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


class MatchedBy(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    NONE = "NONE"


class LeadRules(Rules):
    """A website form or lead portal's submission: a name, and an e-mail or a phone (or both)."""

    name: Required100
    email: Email | None = None
    phone: Phone | None = None
    source: LeadSource = LeadSource.WEBSITE
    message: Text10000 | None = None
    property_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _reachable(self) -> LeadRules:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a phone, to match or reach the lead")
        return self


@dataclass(frozen=True, slots=True)
class CapturedLead:
    person: Person
    created: bool
    matched_by: MatchedBy


async def capture_lead(ctx: Context, data: dict[str, Any]) -> CapturedLead:
    """Match the submission to a person by normalised e-mail, else by E.164 phone, else create a LEAD; then
    log its message as an INBOUND NOTE. Two captures of one new e-mail at once make one person: the
    insert yields to the unique index on e-mail, and the loser reads the winner's row."""
    ctx.principal.require(Permission.WRITE)
    rules = validate(LeadRules, data)
    interest = await records.fetch(ctx, Property, rules.property_id, "Property") if rules.property_id else None
    captured = await _match_or_create(ctx, rules)
    subject = f"{rules.source.value.replace('_', ' ').title()} lead" + (f": {interest.address}" if interest else "")
    values = {
        "channel": CommunicationChannel.NOTE,
        "direction": Direction.INBOUND,
        "subject": subject[:200],
        "body": rules.message,
        "occurred_at": datetime.now(UTC),
        "author_id": ctx.principal.user_id,
    }
    await record_communication(ctx, captured.person, values)
    return captured


async def _match_or_create(ctx: Context, rules: LeadRules) -> CapturedLead:
    scope = ctx.scope
    if rules.email is not None:
        found = await scope.first(scope.select(Person).where(func.lower(Person.email) == rules.email))
        if found is not None:
            return CapturedLead(found, created=False, matched_by=MatchedBy.EMAIL)
    if rules.phone is not None:
        await _lock_phone(scope, rules.phone)
        found = await scope.first(
            scope.select(Person).where(Person.phone == rules.phone).order_by(Person.created_at, Person.id)
        )
        if found is not None:
            return CapturedLead(found, created=False, matched_by=MatchedBy.PHONE)
    first_name, _, last_name = rules.name.rpartition(" ") if " " in rules.name else (rules.name, "", "")
    values = {
        "id": uuid.uuid4(),
        "organization_id": scope.organization_id,
        "first_name": first_name[:100],
        "last_name": last_name[:100] or "-",
        "email": rules.email,
        "phone": rules.phone,
        "source": rules.source,
        "status": PersonStatus.LEAD,
    }
    inserted = await scope.execute(insert(Person).values(values).on_conflict_do_nothing().returning(Person.id))
    created_id = inserted.scalar()
    if created_id is None:  # a concurrent capture created the person with this e-mail first
        winner = await scope.first(scope.select(Person).where(func.lower(Person.email) == rules.email))
        if winner is None:
            raise RuntimeError("A conflicting person vanished")
        return CapturedLead(winner, created=False, matched_by=MatchedBy.EMAIL)
    return CapturedLead(await records.fetch(ctx, Person, created_id, "Person"), created=True, matched_by=MatchedBy.NONE)


async def _lock_phone(scope: TenantScope, phone: str) -> None:
    """Serialise finding and creating the person of one number in one organization, until commit."""
    key = f"{scope.organization_id}:phone:{phone}"
    await scope.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
