"""Nylas's v3 HTTP API over httpx (Nylas has no Python SDK for v3): sending a message, listing recent
messages, and creating, updating and deleting calendar events of a grant. Requests go to `NYLAS_API_URL`
with `NYLAS_API_KEY` as the Bearer token; a refusal (4xx/5xx), a timeout or a network failure becomes
`ProviderError`, with Nylas's own error message when it gave one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx

from winnerr.errors import ProviderError
from winnerr.settings import Settings

NOT_CONFIGURED = "Nylas is not configured on this server: set NYLAS_API_KEY"
PAGE_SIZE = 200
"""Nylas's largest page of messages."""
SYNC_PAGES = 10
"""The most pages one sync reads per grant."""

Json = dict[str, Any]


@asynccontextmanager
async def _client(settings: Settings, doing: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client of Nylas's API for one use; `doing` names it in the error ("send the e-mail")."""
    if not settings.nylas_api_key:
        raise ProviderError(NOT_CONFIGURED)
    headers = {"Authorization": f"Bearer {settings.nylas_api_key}", "Accept": "application/json"}
    base_url = str(settings.nylas_api_url).rstrip("/")
    try:
        async with httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=settings.provider_timeout_seconds
        ) as client:
            yield client
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        raise ProviderError(f"Nylas refused to {doing} ({status}): {_error_message(exc.response)}") from exc
    except httpx.HTTPError as exc:
        raise ProviderError(f"Nylas did not answer when asked to {doing}: {type(exc).__name__}") from exc


def _error_message(response: httpx.Response) -> str:
    """Nylas answers errors as `{"request_id", "error": {"type", "message"}}`."""
    try:
        error = response.json().get("error") or {}
        return str(error.get("message") or error.get("type") or response.reason_phrase)
    except (ValueError, AttributeError):
        return response.reason_phrase


async def _data(response: httpx.Response) -> Json:
    response.raise_for_status()
    data: Json = response.json().get("data") or {}
    return data


def _grant(grant_id: str) -> str:
    return f"/v3/grants/{quote(grant_id, safe='')}"


async def send_message(settings: Settings, grant_id: str, to: Json, subject: str, body: str) -> Json:
    """Send an e-mail from the grant's mailbox to `to` (`{"email", "name"}`); answers the sent message
    (with its headers, for its RFC Message-ID)."""
    message = {"to": [to], "subject": subject, "body": body}
    async with _client(settings, "send the e-mail") as client:
        response = await client.post(
            f"{_grant(grant_id)}/messages/send", params={"fields": "include_headers"}, json=message
        )
        return await _data(response)


async def recent_messages(settings: Settings, grant_id: str, received_after: int) -> list[Json]:
    """The grant's messages received after `received_after` (Unix seconds), with their headers, newest first,
    following `next_cursor` for at most `SYNC_PAGES` pages."""
    params: dict[str, str | int] = {"received_after": received_after, "limit": PAGE_SIZE, "fields": "include_headers"}
    found: list[Json] = []
    async with _client(settings, "list the messages") as client:
        for _ in range(SYNC_PAGES):
            response = await client.get(f"{_grant(grant_id)}/messages", params=params)
            response.raise_for_status()
            page = response.json()
            found.extend(page.get("data") or [])
            if not page.get("next_cursor"):
                break
            params["page_token"] = page["next_cursor"]
    return found


async def create_event(settings: Settings, grant_id: str, calendar_id: str, event: Json) -> Json:
    async with _client(settings, "create the event") as client:
        response = await client.post(f"{_grant(grant_id)}/events", params={"calendar_id": calendar_id}, json=event)
        return await _data(response)


async def update_event(settings: Settings, grant_id: str, calendar_id: str, event_id: str, event: Json) -> Json:
    async with _client(settings, "update the event") as client:
        response = await client.put(
            f"{_grant(grant_id)}/events/{quote(event_id, safe='')}", params={"calendar_id": calendar_id}, json=event
        )
        return await _data(response)


async def delete_event(settings: Settings, grant_id: str, calendar_id: str, event_id: str) -> None:
    """Delete (cancel) the event; participants are notified by their calendar provider."""
    async with _client(settings, "cancel the event") as client:
        params = {"calendar_id": calendar_id, "notify_participants": "true"}
        response = await client.delete(f"{_grant(grant_id)}/events/{quote(event_id, safe='')}", params=params)
        response.raise_for_status()
