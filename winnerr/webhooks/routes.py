"""The webhook routes: `POST /webhooks/twilio`, `GET|POST /webhooks/nylas`, `POST /webhooks/stripe`.

Plain Starlette endpoints (no JWT: `winnerr.access` gives them the WEBHOOK policy and its own rate limit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from winnerr.errors import ErrorCode
from winnerr.http_errors import json_error
from winnerr.observability.metrics import WEBHOOK_DELIVERIES
from winnerr.settings import Settings
from winnerr.state import app_state
from winnerr.webhooks import nylas_events, stripe_events, twilio_events
from winnerr.webhooks.inbox import Delivery, Handler, Outcome, Rejected, receive

Verify = Callable[[Request, Settings], Awaitable[Delivery]]


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    settings: str
    """The settings it needs, for the 503 that says they are missing."""
    configured: Callable[[Settings], bool]
    verify: Verify
    handler: Handler


TWILIO = Provider(
    "Twilio", "TWILIO_AUTH_TOKEN and PUBLIC_URL", twilio_events.configured, twilio_events.verified_delivery,
    twilio_events.HANDLER,
)
NYLAS = Provider(
    "Nylas", "NYLAS_WEBHOOK_SECRET", nylas_events.configured, nylas_events.verified_delivery, nylas_events.HANDLER
)
STRIPE = Provider(
    "Stripe", "STRIPE_WEBHOOK_SECRET", stripe_events.configured, stripe_events.verified_delivery,
    stripe_events.HANDLER,
)
REJECTION_CODES = {401: ErrorCode.UNAUTHENTICATED, 400: ErrorCode.VALIDATION_ERROR}


async def _received(request: Request, provider: Provider) -> Outcome | Response:
    """Verify, record and apply the delivery, or the response refusing it (nothing stored then); counted in
    the metrics by provider and outcome."""
    answer = await _verified_and_applied(request, provider)
    if isinstance(answer, Response):
        outcome = "not_configured" if answer.status_code == 503 else f"rejected_{answer.status_code}"
    else:
        outcome = answer.status.lower() if answer.recorded else "duplicate"
    WEBHOOK_DELIVERIES.labels(provider=provider.name.lower(), outcome=outcome).inc()
    return answer


async def _verified_and_applied(request: Request, provider: Provider) -> Outcome | Response:
    state = app_state(request)
    if not provider.configured(state.settings):
        message = f"{provider.name} webhooks are not configured on this server: set {provider.settings}"
        return json_error(503, message, ErrorCode.INTERNAL_ERROR)
    try:
        delivery = await provider.verify(request, state.settings)
    except Rejected as rejected:
        return json_error(rejected.status, rejected.message, REJECTION_CODES[rejected.status])
    return await receive(state.database, state.hub, provider.handler, delivery)


async def twilio_webhook(request: Request) -> Response:
    """Answers TwiML `<Response/>`: nothing to say back, for a text or a call."""
    outcome = await _received(request, TWILIO)
    if isinstance(outcome, Response):
        return outcome
    twiml = MessagingResponse() if outcome.kind == twilio_events.SMS else VoiceResponse()
    return Response(str(twiml), media_type="application/xml")


async def nylas_challenge(request: Request) -> Response:
    """Nylas checks a new webhook URL with `GET ?challenge=X` and expects X back, as plain text."""
    challenge = request.query_params.get("challenge")
    if challenge is None:
        return json_error(400, "Missing the challenge query parameter")
    return PlainTextResponse(challenge)


async def nylas_webhook(request: Request) -> Response:
    return _json_answer(await _received(request, NYLAS))


async def stripe_webhook(request: Request) -> Response:
    return _json_answer(await _received(request, STRIPE))


def _json_answer(outcome: Outcome | Response) -> Response:
    if isinstance(outcome, Response):
        return outcome
    return JSONResponse({"received": True, "duplicate": not outcome.recorded, "status": outcome.status})


routes = [
    Route("/webhooks/twilio", twilio_webhook, methods=["POST"]),
    Route("/webhooks/nylas", nylas_challenge, methods=["GET"]),
    Route("/webhooks/nylas", nylas_webhook, methods=["POST"]),
    Route("/webhooks/stripe", stripe_webhook, methods=["POST"]),
]
