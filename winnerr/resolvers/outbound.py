"""Outbound communications: `sendSms` and `startCall` go through Twilio from the organization's number,
`sendEmail` through Nylas from its mailbox; each records the OUTBOUND communication once the provider has
taken it. A person who texted STOP is refused a text before anything reaches the provider (CONFLICT), and a
provider's failure records nothing (PROVIDER_ERROR)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from twilio.twiml.voice_response import Dial, VoiceResponse

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import CommunicationChannel, Direction, IntegrationProvider, SmsConsentStatus
from winnerr.db.models import Communication, Person, SmsConsent
from winnerr.errors import Conflict, Issue, ValidationFailed
from winnerr.providers import nylas, twilio
from winnerr.resolvers import records
from winnerr.resolvers.communications import record_communication
from winnerr.resolvers.integrations import active_accounts
from winnerr.resolvers.validation import Phone, Required200, Rules, Text10000, parse_id, validate
from winnerr.webhooks.nylas_events import message_id, thread_of

OPTED_OUT = "This person has opted out of texts (they sent STOP); they must text START before you can text them"
NO_NUMBER = "Connect a Twilio number (connectIntegration) before texting or calling"
NO_MAILBOX = "Connect a Nylas grant (connectIntegration) before sending e-mails"


class SmsRules(Rules):
    body: Text10000


class EmailRules(Rules):
    subject: Required200
    body: Text10000


class CallRules(Rules):
    agent_phone: Phone | None = None


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
    sender = await _connected(ctx, IntegrationProvider.TWILIO, NO_NUMBER)
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


async def send_email(ctx: Context, person_id: str, subject: str, body: str) -> Communication:
    """E-mail the person from the organization's first connected mailbox; answers the OUTBOUND EMAIL, keyed
    by the sent message's RFC Message-ID as the mailbox's own notification of it will be (so it is stored once)."""
    ctx.principal.require(Permission.WRITE)
    rules = validate(EmailRules, {"subject": subject, "body": body}, at=None)
    if not rules.body:
        raise ValidationFailed([Issue(["body"], "must not be empty")])
    person = await records.fetch(ctx, Person, parse_id(person_id, "Person"), "Person")
    if person.email is None:
        raise ValidationFailed([Issue(["personId"], "this person has no e-mail address")])
    grant = await _connected(ctx, IntegrationProvider.NYLAS, NO_MAILBOX)
    to = {"email": person.email, "name": f"{person.first_name} {person.last_name}".strip()}
    sent = await nylas.send_message(ctx.settings, grant, to, rules.subject, rules.body)
    values: dict[str, Any] = {
        "channel": CommunicationChannel.EMAIL,
        "direction": Direction.OUTBOUND,
        "subject": rules.subject,
        "body": rules.body,
        "occurred_at": datetime.now(UTC),
        "external_id": message_id(sent) if sent.get("id") or sent.get("headers") else None,
        "thread_id": thread_of(sent),
        "author_id": ctx.principal.user_id,
    }
    return await record_communication(ctx, person, values)


async def start_call(ctx: Context, person_id: str, agent_phone: str | None) -> Communication:
    """Click-to-call from the organization's number. With `agent_phone`, Twilio rings the member there first
    and, once they answer, dials the person; without it, Twilio rings the person and connects them to the
    member's browser (Twilio Voice client, identity = their user id). Answers the OUTBOUND CALL, keyed by the
    CallSid, whose status and duration Twilio's callbacks then keep up to date."""
    ctx.principal.require(Permission.WRITE)
    rules = validate(CallRules, {"agent_phone": agent_phone}, at=None)
    person = await records.fetch(ctx, Person, parse_id(person_id, "Person"), "Person")
    if person.phone is None:
        raise ValidationFailed([Issue(["personId"], "this person has no phone number")])
    sender = await _connected(ctx, IntegrationProvider.TWILIO, NO_NUMBER)
    dial = Dial(caller_id=sender)
    if rules.agent_phone is None:
        ring = person.phone
        dial.client(str(ctx.principal.user_id))
    else:
        ring = rules.agent_phone
        dial.number(person.phone)
    twiml = str(VoiceResponse().append(dial))
    placed = await twilio.start_call(ctx.settings, sender, ring, twiml, _status_callback(ctx))
    values: dict[str, Any] = {
        "channel": CommunicationChannel.CALL,
        "direction": Direction.OUTBOUND,
        "subject": f"Call {placed.status}",
        "occurred_at": datetime.now(UTC),
        "external_id": placed.sid,
        "author_id": ctx.principal.user_id,
    }
    return await record_communication(ctx, person, values)


async def _connected(ctx: Context, provider: IntegrationProvider, missing: str) -> str:
    """The organization's oldest active number or grant of `provider`; CONFLICT (`missing`) when none."""
    accounts = await active_accounts(ctx.scope, provider)
    if not accounts:
        raise Conflict(missing)
    return accounts[0]


def _status_callback(ctx: Context) -> str | None:
    public = ctx.settings.public_url
    return None if public is None else f"{str(public).rstrip('/')}/webhooks/twilio"
