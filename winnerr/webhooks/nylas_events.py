"""Nylas: message, calendar event and grant notifications.

Verified by the HMAC-SHA256 (hex) of the raw body with `NYLAS_WEBHOOK_SECRET`, compared in constant time
(`X-Nylas-Signature`). A notification belongs to the organization that connected its grant. An e-mail is
stored once per organization, even when two of its mailboxes see it: its id is the RFC 5322 Message-ID
(the Nylas message id when the headers are not included).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from winnerr.db.enums import (
    CalendarEventStatus,
    CommunicationChannel,
    Direction,
    IntegrationProvider,
    IntegrationStatus,
)
from winnerr.db.models import CalendarEvent, Communication, Integration, Person
from winnerr.resolvers.communications import Upserted, record_communication
from winnerr.resolvers.integrations import organization_of_account
from winnerr.resolvers.workspace import Workspace
from winnerr.settings import Settings
from winnerr.webhooks.inbox import Delivery, DeliveryWork, Rejected

SIGNATURE_HEADER = "X-Nylas-Signature"
MAX_BODY = 10_000
MAX_EXTERNAL_ID = 200


def configured(settings: Settings) -> bool:
    return bool(settings.nylas_webhook_secret)


async def verified_delivery(request: Request, settings: Settings) -> Delivery:
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise Rejected(401, f"Missing {SIGNATURE_HEADER} header")
    body = await request.body()
    secret = (settings.nylas_webhook_secret or "").encode()
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise Rejected(401, "Invalid Nylas signature")
    try:
        notification = json.loads(body)
        kind, notification_id = str(notification["type"]), str(notification["id"])
        _object_of(notification)
    except (ValueError, KeyError, TypeError):
        raise Rejected(400, "The body is not a Nylas notification") from None
    return Delivery(IntegrationProvider.NYLAS, notification_id, kind, notification)


def _object_of(notification: dict[str, Any]) -> dict[str, Any]:
    obj = notification["data"]["object"]
    if not isinstance(obj, dict):
        raise TypeError("data.object is not an object")
    return obj


class NylasHandler:
    async def organization(self, session: AsyncSession, delivery: Delivery) -> uuid.UUID | None:
        grant = _object_of(delivery.payload).get("grant_id")
        found = await organization_of_account(session, IntegrationProvider.NYLAS, str(grant))
        return None if found is None else found[0]

    async def apply(self, work: DeliveryWork, delivery: Delivery) -> None:
        obj = _object_of(delivery.payload)
        if delivery.kind.startswith(("message.created", "message.updated")):
            await store_message(work, obj)
        elif delivery.kind in ("event.created", "event.updated", "event.deleted"):
            await _calendar_event(work, obj, deleted=delivery.kind == "event.deleted")
        elif delivery.kind in ("grant.expired", "grant.updated"):
            status = IntegrationStatus.BROKEN if delivery.kind == "grant.expired" else IntegrationStatus.ACTIVE
            await _grant_status(work, str(obj.get("grant_id")), status)


def _addresses(obj: dict[str, Any], *fields: str) -> list[str]:
    found = []
    for name in fields:
        for party in obj.get(name) or []:
            if isinstance(party, dict) and party.get("email"):
                found.append(str(party["email"]).strip().lower())
    return found


def message_id(obj: dict[str, Any]) -> str:
    """The RFC Message-ID when the headers came with the message, else Nylas's id; hashed when too long."""
    headers = obj.get("headers") or []
    value = next(
        (str(h.get("value")) for h in headers if isinstance(h, dict) and str(h.get("name")).lower() == "message-id"),
        None,
    )
    value = value.strip() if value else f"nylas:{obj['id']}"
    return value if len(value) <= MAX_EXTERNAL_ID else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


async def _mailboxes(work: Workspace) -> set[str]:
    scope = work.scope
    labels = await scope.execute(
        select(func.lower(Integration.label)).where(
            scope.where(Integration), Integration.provider == IntegrationProvider.NYLAS
        )
    )
    return {label for label in labels.scalars() if label}


async def store_message(work: Workspace, obj: dict[str, Any]) -> Upserted:
    """An EMAIL with the first person it names (from, then to, then cc) other than the organization's own
    mailboxes; OUTBOUND when one of those sent it. A message naming nobody the organization knows is skipped."""
    scope = work.scope
    external_id = message_id(obj)
    body = str(obj.get("body") or obj.get("snippet") or "")[:MAX_BODY]
    subject = str(obj.get("subject") or "")[:200] or None
    existing = await scope.first(scope.select(Communication).where(Communication.external_id == external_id))
    if existing is not None:
        if (existing.subject, existing.body) == (subject, body):
            return Upserted.UNCHANGED
        existing.subject, existing.body = subject, body
        await scope.save(existing)
        return Upserted.UPDATED
    mailboxes = await _mailboxes(work)
    senders = _addresses(obj, "from")
    parties = [address for address in _addresses(obj, "from", "to", "cc") if address not in mailboxes]
    people = await scope.rows(scope.select(Person).where(func.lower(Person.email).in_(parties)))
    by_address = {(person.email or "").lower(): person for person in people}
    person = next((by_address[address] for address in parties if address in by_address), None)
    if person is None:
        return Upserted.SKIPPED
    occurred = datetime.fromtimestamp(int(obj.get("date") or datetime.now(UTC).timestamp()), UTC)
    outbound = any(sender in mailboxes for sender in senders)
    await record_communication(
        work,
        person,
        {
            "channel": CommunicationChannel.EMAIL,
            "direction": Direction.OUTBOUND if outbound else Direction.INBOUND,
            "subject": subject,
            "body": body,
            "occurred_at": occurred,
            "external_id": external_id,
            "thread_id": thread_of(obj),
        },
    )
    return Upserted.CREATED


def thread_of(obj: dict[str, Any]) -> str | None:
    return str(obj["thread_id"])[:MAX_EXTERNAL_ID] if obj.get("thread_id") else None


def _when(obj: dict[str, Any]) -> tuple[datetime, datetime | None]:
    when = obj.get("when") or {}
    start = when.get("start_time") or when.get("time")
    if start is not None:
        end = when.get("end_time")
        return datetime.fromtimestamp(int(start), UTC), datetime.fromtimestamp(int(end), UTC) if end else None
    day = when.get("date") or when.get("start_date")
    last = when.get("end_date")
    starts = datetime.fromisoformat(str(day)).replace(tzinfo=UTC)
    return starts, datetime.fromisoformat(str(last)).replace(tzinfo=UTC) if last else None


STATUSES = {"confirmed": CalendarEventStatus.CONFIRMED, "tentative": CalendarEventStatus.TENTATIVE}


async def _calendar_event(work: DeliveryWork, obj: dict[str, Any], *, deleted: bool) -> None:
    scope = work.scope
    external_id = str(obj["id"])[:MAX_EXTERNAL_ID]
    event = await scope.first(scope.select(CalendarEvent).where(CalendarEvent.external_id == external_id))
    if deleted or obj.get("status") == "cancelled":
        if event is not None:
            event.status = CalendarEventStatus.CANCELLED
            await scope.save(event)
        return
    starts_at, ends_at = _when(obj)
    participants = _addresses(obj, "participants")
    person = await scope.first(scope.select(Person).where(func.lower(Person.email).in_(participants)))
    values = {
        "title": str(obj.get("title") or "(no title)")[:300],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": str(obj["location"])[:500] if obj.get("location") else None,
        "status": STATUSES.get(str(obj.get("status")), CalendarEventStatus.CONFIRMED),
        "person_id": person.id if person is not None else None,
        "grant_id": str(obj["grant_id"])[:MAX_EXTERNAL_ID] if obj.get("grant_id") else None,
        "calendar_id": str(obj["calendar_id"])[:MAX_EXTERNAL_ID] if obj.get("calendar_id") else None,
    }
    if event is None:
        await scope.save(scope.add(CalendarEvent(external_id=external_id, **values)))
        return
    for name, value in values.items():
        setattr(event, name, value)
    await scope.save(event)


async def _grant_status(work: DeliveryWork, grant_id: str, status: IntegrationStatus) -> None:
    scope = work.scope
    await scope.execute(
        update(Integration)
        .where(scope.where(Integration), Integration.provider == IntegrationProvider.NYLAS)
        .where(Integration.external_id == grant_id)
        .values(status=status)
    )


HANDLER = NylasHandler()
