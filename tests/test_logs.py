"""Structured logs (winnerr/logs.py), read from the captured stderr of a real server that served a log-in, a
query, a refused mutation, a signed Twilio text and a websocket subscription: one JSON access line per request
or websocket operation, with request id, organization and user, operation name and type, duration and outcome; no
secret on any line (password, tokens, webhook signature, message bodies)."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest

from tests.factories import PASSWORD, Tenant
from tests.live import GraphQLSocket, served
from tests.providers import connect, phone_number, provider_settings, sms, twilio_signature
from winnerr.logs import redact
from winnerr.settings import Settings

MESSAGE_BODY = "Call me about the offer on 12 Oak Street, my gate code is 4417"
TEXT_BODY = "Our alarm code is 9031, let yourself in for the showing"


async def run_everything(settings: Settings, tenant: Tenant) -> dict[str, str]:
    """Log in, query, send a refused mutation with a message body, receive a signed text, subscribe; the
    secrets it used."""
    email = tenant.emails[tenant.role]
    number = phone_number()
    await connect(tenant, "TWILIO", number)
    text = sms(number, "+15125550187", body=TEXT_BODY)
    signature = twilio_signature("/webhooks/twilio", text)
    async with served(provider_settings(settings)) as host, httpx.AsyncClient(base_url=f"http://{host}") as client:
        login = {"grant_type": "password", "email": email, "password": PASSWORD}
        tokens = (await client.post("/auth/token", json=login)).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        query = {"query": "query WhoAmI { me { role } }"}
        assert (await client.post("/graphql", json=query, headers=headers)).status_code == 200
        refused = {
            "query": "mutation Note($input: CreateCommunicationInput!) { createCommunication(input: $input) { id } }",
            "variables": {
                "input": {"personId": "00000000-0000-0000-0000-000000000000", "channel": "NOTE", "body": MESSAGE_BODY}
            },
        }
        await client.post("/graphql", json=refused, headers=headers)
        delivered = await client.post("/webhooks/twilio", data=text, headers={"X-Twilio-Signature": signature})
        assert delivered.status_code == 200
        async with GraphQLSocket.open(host, tokens["access_token"]) as socket:
            await socket.subscribe("query OverTheSocket { me { role } }")
            await socket.next_data("1")
            assert (await socket.next_message("1"))["type"] == "complete"  # the operation has ended
    return {
        "password": PASSWORD,
        "access token": tokens["access_token"],
        "refresh token": tokens["refresh_token"],
        "message body": MESSAGE_BODY,
        "webhook signature": signature,
        "text body": TEXT_BODY,
    }


def lines(captured: str) -> list[dict[str, Any]]:
    parsed = []
    for line in captured.splitlines():
        if line.startswith("{"):
            parsed.append(json.loads(line))
    return parsed


async def test_access_lines_carry_the_request_and_no_secret(
    settings: Settings, tenant: Tenant, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WINNERR_LOG_JSON", "1")
    capsys.readouterr()
    secrets = await run_everything(settings, tenant)
    captured = capsys.readouterr().err
    logged = lines(captured)

    requests = {line.get("operation_name"): line for line in logged if line["event"] == "request"}
    query = requests["WhoAmI"]
    assert query["operation_type"] == "query"
    assert query["outcome"] == "ok"
    assert query["status"] == 200
    assert query["path"] == "/graphql"
    assert query["organization_id"] == str(tenant.organization_id)
    assert query["user_id"] == str(tenant.user_ids[tenant.role])
    assert len(query["request_id"]) == 32
    assert query["duration_ms"] >= 0
    assert query["level"] == "info"
    assert query["pid"] == os.getpid()

    refused = requests["Note"]
    assert refused["outcome"] == "error"
    assert refused["error_codes"]
    assert all(code.isupper() for code in refused["error_codes"])

    operations = [line for line in logged if line["event"] == "operation"]
    assert [line["operation_name"] for line in operations] == ["OverTheSocket"]
    assert operations[0]["user_id"] == str(tenant.user_ids[tenant.role])
    assert operations[0]["outcome"] == "ok"

    assert any(line.get("path") == "/auth/token" for line in logged)
    assert any(line.get("path") == "/webhooks/twilio" and line["status"] == 200 for line in logged)
    leaked = [name for name, secret in secrets.items() if secret in captured]
    assert leaked == []


def test_secret_keys_are_redacted_at_any_depth() -> None:
    record = {
        "email": "a@example.com",
        "headers": {"Authorization": "Bearer x", "X-Twilio-Signature": "s"},
        "items": [{"password": "p", "body": "hello"}],
        "refresh_token": "r",
    }
    assert redact(record) == {
        "email": "a@example.com",
        "headers": {"Authorization": "[redacted]", "X-Twilio-Signature": "[redacted]"},
        "items": [{"password": "[redacted]", "body": "[redacted]"}],
        "refresh_token": "[redacted]",
    }
