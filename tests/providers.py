"""Webhooks as the providers send them: an app configured with their secrets, and deliveries signed with
the providers' own code (twilio's RequestValidator, stripe's WebhookSignature; Nylas's HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import stripe
from asgi_lifespan import LifespanManager
from twilio.request_validator import RequestValidator

from tests.factories import Tenant
from winnerr.app import create_app
from winnerr.settings import Settings

PUBLIC_URL = "https://hooks.winnerr.example"
TWILIO_AUTH_TOKEN = "twilio-test-auth-token"
NYLAS_SECRET = "nylas-test-webhook-secret"
STRIPE_SECRET = "whsec_test_secret"

CONNECT = """mutation($input: ConnectIntegrationInput!) {
  connectIntegration(input: $input) { id provider externalId label status } }"""
DELIVERIES = """query($provider: IntegrationProvider, $status: DeliveryStatus) {
  webhookDeliveries(provider: $provider, status: $status) {
    items { id provider externalId kind status attempts lastError appliedAt }
    pagination { total } } }"""
COMMUNICATIONS = """query($channel: CommunicationChannel) { communications(channel: $channel, limit: 100) {
  items { id channel direction subject body durationSeconds externalId recordingUrl mediaUrls threadId
          person { id firstName lastName phone email status customFields lastContactAt } }
  pagination { total } } }"""


def provider_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "public_url": PUBLIC_URL,
            "twilio_auth_token": TWILIO_AUTH_TOKEN,
            "nylas_webhook_secret": NYLAS_SECRET,
            "stripe_webhook_secret": STRIPE_SECRET,
            "rate_limit_webhooks": "100000/minute",
        }
    )


@pytest.fixture(scope="module")
async def hooks(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app configured with every provider's secret (`client` has none)."""
    async with LifespanManager(create_app(provider_settings(settings))) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://internal-host:8080") as client:
            yield client


_NUMBERS = itertools.count(5000)
"""Numbers handed out in this run: 415-555-5000 up, above the fixed ones tests and the demo use."""


def phone_number() -> str:
    """A fictional US number in E.164 that no other test of the run was given (a number belongs to one
    organization: two tests drawing the same one at random collided)."""
    return f"+1415555{next(_NUMBERS):04d}"


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def twilio_signature(path: str, params: dict[str, str], url: str = PUBLIC_URL) -> str:
    return str(RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url + path, params))


async def post_twilio(
    hooks: httpx.AsyncClient, params: dict[str, str], *, signature: str | None = None, path: str = "/webhooks/twilio"
) -> httpx.Response:
    headers = {"X-Twilio-Signature": signature if signature is not None else twilio_signature(path, params)}
    return await hooks.post(path, data=params, headers=headers)


def sms(to: str, sender: str, body: str = "Is the house on Elm St still available?", **extra: str) -> dict[str, str]:
    message = sid("SM")
    return {
        "MessageSid": message,
        "SmsSid": message,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "SmsStatus": "received",
        **extra,
    }


def nylas_signature(body: bytes) -> str:
    return hmac.new(NYLAS_SECRET.encode(), body, hashlib.sha256).hexdigest()


async def post_nylas(hooks: httpx.AsyncClient, notification: dict[str, Any]) -> httpx.Response:
    body = json.dumps(notification).encode()
    headers = {"X-Nylas-Signature": nylas_signature(body), "Content-Type": "application/json"}
    return await hooks.post("/webhooks/nylas", content=body, headers=headers)


def nylas_notification(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "type": kind,
        "source": "/google/emails/realtime",
        "id": sid("ntf-"),
        "time": int(time.time()),
        "data": {"application_id": "app", "object": obj},
    }


def stripe_header(payload: str, timestamp: int | None = None) -> str:
    return str(stripe.WebhookSignature.generate_signature_header(payload, STRIPE_SECRET, timestamp))


async def post_stripe(
    hooks: httpx.AsyncClient, event: dict[str, Any] | str, *, timestamp: int | None = None
) -> httpx.Response:
    payload = event if isinstance(event, str) else json.dumps(event)
    headers = {"Stripe-Signature": stripe_header(payload, timestamp), "Content-Type": "application/json"}
    return await hooks.post("/webhooks/stripe", content=payload, headers=headers)


def stripe_event(kind: str, obj: dict[str, Any], created: int | None = None) -> dict[str, Any]:
    return {
        "id": sid("evt_"),
        "object": "event",
        "type": kind,
        "created": created or int(time.time()),
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }


async def connect(tenant: Tenant, provider: str, external_id: str, label: str | None = None) -> dict[str, Any]:
    variables = {"input": {"provider": provider, "externalId": external_id, "label": label}}
    connected: dict[str, Any] = (await tenant.gql(CONNECT, variables))["connectIntegration"]
    return connected


async def deliveries(tenant: Tenant, **variables: str) -> dict[str, Any]:
    found: dict[str, Any] = (await tenant.gql(DELIVERIES, variables))["webhookDeliveries"]
    return found


async def communications(tenant: Tenant, channel: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await tenant.gql(COMMUNICATIONS, {"channel": channel}))["communications"]["items"]
    return items
