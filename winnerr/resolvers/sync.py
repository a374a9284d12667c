"""`syncCommunications(provider, since)`: pull what the providers hold and store what the webhooks missed.

TWILIO reads the texts and calls of each connected number (the SDK's `messages.list_async` and
`calls.list_async`); NYLAS the messages of each connected grant (Nylas's messages API). Each record is
upserted by its provider id, the same `externalId` its webhook would have given it, so a sync after the
webhooks (or a second sync) creates nothing twice: unchanged records are counted as skipped. An unknown
number becomes a LEAD, as it does when it texts or calls in; an e-mail naming nobody the organization knows is
skipped. Everything happens in the mutation's one transaction, after every list has been read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import CommunicationChannel, Direction, IntegrationProvider
from winnerr.db.models import Communication
from winnerr.errors import Issue, ValidationFailed
from winnerr.providers import nylas, twilio
from winnerr.resolvers.communications import Upserted, record_communication
from winnerr.resolvers.consent import consent_said, record_consent
from winnerr.resolvers.integrations import active_accounts
from winnerr.resolvers.leads import person_for_phone
from winnerr.webhooks.nylas_events import store_message

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class SyncCounts:
    provider: IntegrationProvider
    fetched: int
    created: int
    updated: int
    skipped: int


async def sync_communications(ctx: Context, provider: IntegrationProvider, since: datetime | None) -> SyncCounts:
    ctx.principal.require(Permission.WRITE)
    since = _checked_since(since)
    accounts = await active_accounts(ctx.scope, provider)
    if provider is IntegrationProvider.TWILIO:
        outcomes = await _sync_twilio(ctx, accounts, since)
    elif provider is IntegrationProvider.NYLAS:
        outcomes = await _sync_nylas(ctx, accounts, since)
    else:
        raise ValidationFailed([Issue(["provider"], "only TWILIO and NYLAS hold communications")])
    counted = Counter(outcomes)
    return SyncCounts(
        provider=provider,
        fetched=len(outcomes),
        created=counted[Upserted.CREATED],
        updated=counted[Upserted.UPDATED],
        skipped=counted[Upserted.UNCHANGED] + counted[Upserted.SKIPPED],
    )


def _checked_since(since: datetime | None) -> datetime:
    now = datetime.now(UTC)
    if since is None:
        return now - DEFAULT_WINDOW
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if since > now:
        raise ValidationFailed([Issue(["since"], "must not be in the future")])
    if since < now - MAX_WINDOW:
        raise ValidationFailed([Issue(["since"], f"must be within the last {MAX_WINDOW.days} days")])
    return since


async def _sync_twilio(ctx: Context, numbers: list[str], since: datetime) -> list[Upserted]:
    texts: list[twilio.ListedMessage] = []
    calls: list[twilio.ListedCall] = []
    for number in numbers:
        texts += await twilio.recent_messages(ctx.settings, number, since)
        calls += await twilio.recent_calls(ctx.settings, number, since)
    return [*[await _text(ctx, text) for text in texts], *[await _call(ctx, call) for call in calls]]


async def _existing(ctx: Context, channel: CommunicationChannel, external_id: str) -> Communication | None:
    scope = ctx.scope
    query = scope.select(Communication).where(Communication.channel == channel)
    return await scope.first(query.where(Communication.external_id == external_id))


async def _text(ctx: Context, message: twilio.ListedMessage) -> Upserted:
    existing = await _existing(ctx, CommunicationChannel.SMS, message.sid)
    if existing is not None:
        if existing.body == message.body:
            return Upserted.UNCHANGED
        existing.body = message.body
        await ctx.scope.save(existing)
        return Upserted.UPDATED
    person = await person_for_phone(ctx, message.to if message.outbound else message.sender, "SMS")
    occurred_at = message.sent_at or datetime.now(UTC)
    said = None if message.outbound else consent_said(message.body)
    if said is not None:
        await record_consent(ctx, person.id, said, occurred_at, f"SMS:{message.body.strip().upper()[:20]}")
    values = {
        "channel": CommunicationChannel.SMS,
        "direction": Direction.OUTBOUND if message.outbound else Direction.INBOUND,
        "body": message.body,
        "occurred_at": occurred_at,
        "external_id": message.sid,
    }
    await record_communication(ctx, person, values)
    return Upserted.CREATED


async def _call(ctx: Context, call: twilio.ListedCall) -> Upserted:
    subject = f"Call {call.status}"
    existing = await _existing(ctx, CommunicationChannel.CALL, call.sid)
    if existing is not None:
        if (existing.subject, existing.duration_seconds) == (subject, call.duration):
            return Upserted.UNCHANGED
        existing.subject, existing.duration_seconds = subject, call.duration
        await ctx.scope.save(existing)
        return Upserted.UPDATED
    person = await person_for_phone(ctx, call.to if call.outbound else call.sender, "CALL")
    values = {
        "channel": CommunicationChannel.CALL,
        "direction": Direction.OUTBOUND if call.outbound else Direction.INBOUND,
        "subject": subject,
        "occurred_at": call.started_at or datetime.now(UTC),
        "duration_seconds": call.duration,
        "external_id": call.sid,
    }
    await record_communication(ctx, person, values)
    return Upserted.CREATED


async def _sync_nylas(ctx: Context, grants: list[str], since: datetime) -> list[Upserted]:
    after = int(since.timestamp())
    listed = [await nylas.recent_messages(ctx.settings, grant, after) for grant in grants]
    return [await store_message(ctx, message) for messages in listed for message in messages]
