"""Outbound communications: `sendSms` sends through Twilio from the organization's number, then records the
OUTBOUND SMS; a person who texted STOP is refused before anything reaches the provider (CONFLICT), and a
provider's failure records nothing (PROVIDER_ERROR)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import CommunicationChannel, Direction, IntegrationProvider, IntegrationStatus, SmsConsentStatus
from winnerr.db.models import Communication, Integration, Person, SmsConsent
from winnerr.errors import Conflict, Issue, ValidationFailed
from winnerr.providers import twilio
from winnerr.resolvers import records
from winnerr.resolvers.communications import record_communication
from winnerr.resolvers.validation import Rules, parse_id, validate
from winnerr.resolvers.validation import Text10000 as SmsBody

OPTED_OUT = "This person has opted out of texts (they sent STOP); they must text START before you can text them"
NO_NUMBER = "Connect a Twilio number (connectIntegration) before sending texts"


class SmsRules(Rules):
    body: SmsBody


async def send_sms(ctx: Context, person_id: str, body: str) -> Communication:
    ctx.principal.require(Permission.WRITE)
    rules = validate(SmsRules, {"body": body}, at=None)
    if not rules.body:
        raise ValidationFailed([Issue(["body"], "must not be empty")])
    person = await records.fetch(ctx, Person, parse_id(person_id, "Person"), "Person")
    if person.phone is None:
        raise ValidationFailed([Issue(["personId"], "this person has no phone number")])
    consent = await ctx.scope.find(SmsConsent, person.id)
    if consent is not None and consent.status is SmsConsentStatus.OPTED_OUT:
        raise Conflict(OPTED_OUT)
    sender = await _our_number(ctx)
    sent = await twilio.send_sms(ctx.settings, sender, person.phone, rules.body, _status_callback(ctx))
    values: dict[str, Any] = {
        "channel": CommunicationChannel.SMS,
        "direction": Direction.OUTBOUND,
        "body": rules.body,
        "occurred_at": datetime.now(UTC),
        "external_id": sent.sid,
        "author_id": ctx.principal.user_id,
    }
    return await record_communication(ctx, person, values)


async def _our_number(ctx: Context) -> str:
    scope = ctx.scope
    number = await scope.first(
        scope.select(Integration)
        .where(Integration.provider == IntegrationProvider.TWILIO, Integration.status == IntegrationStatus.ACTIVE)
        .order_by(Integration.created_at, Integration.id)
    )
    if number is None:
        raise Conflict(NO_NUMBER)
    return number.external_id


def _status_callback(ctx: Context) -> str | None:
    public = ctx.settings.public_url
    return None if public is None else f"{str(public).rstrip('/')}/webhooks/twilio"
