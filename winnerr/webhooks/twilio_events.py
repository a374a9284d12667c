"""Twilio: inbound texts, call status callbacks and recording callbacks.

Verified with `twilio.request_validator.RequestValidator` over the URL as Twilio saw it: `PUBLIC_URL` + path
+ query (a proxy may have rewritten the Host header, so it is never used), and the form parameters (or, for
a JSON body, its `bodySHA256`). A text belongs to the organization that connected its `To` number; a call
to the one with our side's number (`To` inbound, `From` outbound); a recording to the one holding its call.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from twilio.request_validator import RequestValidator, get_signature_algorithm

from winnerr.db.enums import CommunicationChannel, Direction, IntegrationProvider
from winnerr.db.models import Communication
from winnerr.errors import NotFound
from winnerr.resolvers.communications import record_communication
from winnerr.resolvers.consent import consent_said, record_consent
from winnerr.resolvers.integrations import organization_of_account
from winnerr.resolvers.leads import person_for_phone
from winnerr.settings import Settings
from winnerr.webhooks.inbox import Delivery, DeliveryWork, Rejected

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
SMS, MESSAGE_STATUS, CALL, RECORDING = "sms", "message-status", "call", "recording"
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def configured(settings: Settings) -> bool:
    return bool(settings.twilio_auth_token) and settings.public_url is not None


def public_url_of(request: Request, settings: Settings) -> str:
    """The URL Twilio requested: PUBLIC_URL, then this request's path and query."""
    base = str(settings.public_url).rstrip("/")
    query = request.url.query
    return f"{base}{request.url.path}" + (f"?{query}" if query else "")


async def verified_delivery(request: Request, settings: Settings) -> Delivery:
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise Rejected(401, f"Missing {SIGNATURE_HEADER} header")
    url = public_url_of(request, settings)
    validator = RequestValidator(settings.twilio_auth_token)
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if request.headers.get("content-type", "").startswith("application/json"):
        body = (await request.body()).decode("utf-8", errors="replace")
        if not validator.validate(url, body, signature, algorithm):
            raise Rejected(401, "Invalid Twilio signature")
        params = _json_params(body)
    else:
        form = await _form(request)
        if not validator.validate(url, form, signature, algorithm):
            raise Rejected(401, "Invalid Twilio signature")
        params = dict(form)
    return _classified(params)


async def _form(request: Request) -> Any:
    try:
        return await request.form()
    except Exception as exc:  # python-multipart's parse errors have no common base
        raise Rejected(400, "The body is not a form") from exc


def _json_params(body: str) -> dict[str, str]:
    try:
        data = json.loads(body)
    except ValueError:
        raise Rejected(400, "The body is not JSON") from None
    if not isinstance(data, dict):
        raise Rejected(400, "The body is not a JSON object")
    return {str(key): str(value) for key, value in data.items()}


def _classified(params: dict[str, str]) -> Delivery:
    """What the callback is, and its unique id: MessageSid; CallSid + CallStatus; RecordingSid + status."""
    provider = IntegrationProvider.TWILIO
    if params.get("RecordingSid"):
        external = f"{params['RecordingSid']}:{params.get('RecordingStatus', 'completed')}"
        return Delivery(provider, external, RECORDING, params)
    message = params.get("MessageSid") or params.get("SmsSid")
    if message and params.get("MessageStatus"):
        return Delivery(provider, f"{message}:{params['MessageStatus']}", MESSAGE_STATUS, params)
    if message:
        return Delivery(provider, message, SMS, params)
    if params.get("CallSid") and params.get("CallStatus"):
        return Delivery(provider, f"{params['CallSid']}:{params['CallStatus']}", CALL, params)
    raise Rejected(400, "Not a Twilio message, call status or recording callback")


def _outbound(params: dict[str, str]) -> bool:
    return params.get("Direction", "inbound").startswith("outbound")


def _our_number(delivery: Delivery) -> str:
    params = delivery.payload
    ours = "From" if delivery.kind == MESSAGE_STATUS or _outbound(params) else "To"
    return str(params.get(ours, ""))


class TwilioHandler:
    async def organization(self, session: AsyncSession, delivery: Delivery) -> uuid.UUID | None:
        if delivery.kind == RECORDING:
            # Before the organization is known row-level security hides communications: a SECURITY
            # DEFINER function of migration 0009 answers which organization the call is of.
            call_sid = str(delivery.payload.get("CallSid", ""))
            organization: uuid.UUID | None = await session.scalar(select(func.winnerr_call_organization(call_sid)))
            return organization
        found = await organization_of_account(session, IntegrationProvider.TWILIO, _our_number(delivery))
        return None if found is None else found[0]

    async def apply(self, work: DeliveryWork, delivery: Delivery) -> None:
        if delivery.kind == SMS:
            await _inbound_sms(work, delivery)
        elif delivery.kind == CALL:
            await _call_status(work, delivery)
        elif delivery.kind == RECORDING:
            await _recording(work, delivery)
        # message-status callbacks are recorded (in the inbox) only: a communication keeps no delivery status


async def _existing(
    work: DeliveryWork, external_id: str, channel: CommunicationChannel = CommunicationChannel.SMS
) -> Communication | None:
    scope = work.scope
    query = scope.select(Communication).where(Communication.external_id == external_id)
    return await scope.first(query.where(Communication.channel == channel))


async def _inbound_sms(work: DeliveryWork, delivery: Delivery) -> None:
    params = delivery.payload
    if await _existing(work, delivery.external_id) is not None:
        return
    person = await person_for_phone(work, params.get("From", ""), "SMS")
    body = params.get("Body", "")
    said = consent_said(body)
    if said is not None:
        await record_consent(work, person.id, said, delivery.received_at, f"SMS:{body.strip().upper()[:20]}")
    media = [params[f"MediaUrl{n}"] for n in range(int(params.get("NumMedia") or 0)) if f"MediaUrl{n}" in params]
    await record_communication(
        work,
        person,
        {
            "channel": CommunicationChannel.SMS,
            "direction": Direction.INBOUND,
            "body": body,
            "occurred_at": delivery.received_at,
            "external_id": delivery.external_id,
            "media_urls": media,
        },
    )


async def _call_status(work: DeliveryWork, delivery: Delivery) -> None:
    """One CALL communication per CallSid; its subject (`Call <status>`) and duration follow the callbacks,
    and a late callback of an earlier stage never undoes a final status."""
    params = delivery.payload
    status = params["CallStatus"]
    duration = int(params["CallDuration"]) if params.get("CallDuration", "").isdigit() else None
    call = await _existing(work, params["CallSid"], CommunicationChannel.CALL)
    if call is None:
        outbound = _outbound(params)
        person = await person_for_phone(work, params.get("To" if outbound else "From", ""), "CALL")
        values = {
            "channel": CommunicationChannel.CALL,
            "direction": Direction.OUTBOUND if outbound else Direction.INBOUND,
            "subject": f"Call {status}",
            "occurred_at": delivery.received_at,
            "duration_seconds": duration,
            "external_id": params["CallSid"],
        }
        await record_communication(work, person, values)
        return
    if (call.subject or "").removeprefix("Call ") in FINAL_CALL_STATUSES and status not in FINAL_CALL_STATUSES:
        return
    call.subject = f"Call {status}"
    if duration is not None:
        call.duration_seconds = duration
    await work.scope.save(call)


async def _recording(work: DeliveryWork, delivery: Delivery) -> None:
    params = delivery.payload
    if params.get("RecordingStatus", "completed") != "completed":
        return
    call = await _existing(work, params.get("CallSid", ""), CommunicationChannel.CALL)
    if call is None:
        raise NotFound("Call")
    call.recording_url = params.get("RecordingUrl")
    await work.scope.save(call)


HANDLER = TwilioHandler()
