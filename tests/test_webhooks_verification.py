"""Webhook verification with the providers' own code (issue 10, point 2): a missing, wrong, tampered, stale or
future signature is 401 and stores nothing; an unparseable body after a valid signature is 400; a provider
whose secret is not configured answers 503."""

from __future__ import annotations

import json
import time

import httpx
from asgi_lifespan import LifespanManager

from tests.factories import Tenant
from tests.providers import (
    communications,
    connect,
    deliveries,
    hooks,
    nylas_notification,
    nylas_signature,
    phone_number,
    post_nylas,
    post_stripe,
    post_twilio,
    provider_settings,
    sms,
    stripe_event,
    stripe_header,
    twilio_signature,
)
from winnerr.app import create_app
from winnerr.settings import Settings

__all__ = ["hooks"]


async def test_unconfigured_providers_answer_503(client: httpx.AsyncClient) -> None:
    for path, names in (
        ("/webhooks/twilio", "TWILIO_AUTH_TOKEN and PUBLIC_URL"),
        ("/webhooks/nylas", "NYLAS_WEBHOOK_SECRET"),
        ("/webhooks/stripe", "STRIPE_WEBHOOK_SECRET"),
    ):
        response = await client.post(path, content=b"{}", headers={"Content-Type": "application/json"})
        assert response.status_code == 503, response.text
        assert names in response.json()["errors"][0]["message"]


async def test_twilio_refuses_missing_wrong_and_tampered_signatures(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    params = sms(number, phone_number())
    tampered = params | {"Body": "Send me your bank details"}
    signed_for_host = twilio_signature("/webhooks/twilio", params, url="http://internal-host:8080")
    for signature, sent in (
        ("", params),
        ("bm90IGEgc2lnbmF0dXJl", params),
        (None, tampered),
        (signed_for_host, params),
    ):
        chosen = twilio_signature("/webhooks/twilio", params) if signature is None else signature
        response = await hooks.post("/webhooks/twilio", data=sent, headers={"X-Twilio-Signature": chosen})
        assert response.status_code == 401, (signature, response.text)
    assert (await deliveries(tenant))["pagination"]["total"] == 0
    assert await communications(tenant) == []


async def test_twilio_signs_the_public_url_with_its_query(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    params = sms(number, phone_number())
    path = "/webhooks/twilio?source=sms"
    response = await post_twilio(hooks, params, path=path)
    assert response.status_code == 200, response.text
    other = sms(number, phone_number())
    without_query = twilio_signature("/webhooks/twilio", other)
    refused = await hooks.post(path, data=other, headers={"X-Twilio-Signature": without_query})
    assert refused.status_code == 401
    assert (await deliveries(tenant))["pagination"]["total"] == 1


async def test_stripe_refuses_bad_stale_and_future_signatures(hooks: httpx.AsyncClient) -> None:
    event = json.dumps(stripe_event("invoice.paid", {"id": "in_1", "customer": "cus_nobody"}))
    now = int(time.time())
    for header in (
        None,
        "t=123,v1=abc",
        stripe_header(event, now - 301),
        stripe_header(event, now + 400),
        stripe_header(event.replace("in_1", "in_2"), now),
    ):
        headers = {"Content-Type": "application/json"} | ({"Stripe-Signature": header} if header else {})
        response = await hooks.post("/webhooks/stripe", content=event, headers=headers)
        assert response.status_code == 401, (header, response.text)
    unparseable = await post_stripe(hooks, "this is not json")
    assert unparseable.status_code == 400, unparseable.text
    fresh = await post_stripe(hooks, event, timestamp=now - 200)
    assert fresh.status_code == 200, fresh.text


async def test_nylas_refuses_bad_signatures_and_echoes_its_challenge(hooks: httpx.AsyncClient) -> None:
    challenge = await hooks.get("/webhooks/nylas", params={"challenge": "abc123"})
    assert challenge.status_code == 200
    assert challenge.text == "abc123"
    assert challenge.headers["content-type"].startswith("text/plain")
    body = json.dumps(nylas_notification("grant.expired", {"grant_id": "nobody"})).encode()
    for headers in ({}, {"X-Nylas-Signature": "0" * 64}, {"X-Nylas-Signature": nylas_signature(body + b" ")}):
        response = await hooks.post("/webhooks/nylas", content=body, headers=headers)
        assert response.status_code == 401, response.text
    garbage = b"{not json"
    response = await hooks.post(
        "/webhooks/nylas", content=garbage, headers={"X-Nylas-Signature": nylas_signature(garbage)}
    )
    assert response.status_code == 400
    assert (await post_nylas(hooks, json.loads(body))).status_code == 200


async def test_webhooks_have_their_own_limit_per_provider_and_need_no_token(settings: Settings) -> None:
    limited = provider_settings(settings).model_copy(update={"rate_limit_webhooks": "2/minute"})
    async with LifespanManager(create_app(limited)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://internal-host:8080") as hooks:
            number = phone_number()
            answers = [await post_twilio(hooks, sms(number, phone_number())) for _ in range(3)]
            nylas = await post_nylas(hooks, nylas_notification("grant.updated", {"grant_id": "g-limit"}))
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert answers[0].headers["RateLimit-Limit"] == "2"
    assert nylas.status_code == 200
