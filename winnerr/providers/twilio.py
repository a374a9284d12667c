"""Sending texts through Twilio's own SDK (`Client.messages.create_async`)."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from winnerr.errors import ProviderError
from winnerr.settings import Settings

NOT_CONFIGURED = "Texts cannot be sent: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not configured"


@dataclass(frozen=True, slots=True)
class SentMessage:
    sid: str
    status: str


async def send_sms(settings: Settings, sender: str, to: str, body: str, status_callback: str | None) -> SentMessage:
    """Ask Twilio to send `body` from our number `sender` to `to`; its status callbacks go to `status_callback`."""
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        raise ProviderError(NOT_CONFIGURED)
    http_client = AsyncTwilioHttpClient(timeout=settings.provider_timeout_seconds)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    if settings.twilio_api_base_url is not None:
        client.api.base_url = str(settings.twilio_api_base_url).rstrip("/")
    try:
        message = await client.messages.create_async(
            to=to, from_=sender, body=body, **({"status_callback": status_callback} if status_callback else {})
        )
    except TwilioRestException as exc:
        raise ProviderError(f"Twilio refused the text ({exc.status}, code {exc.code}): {exc.msg}") from exc
    except (TwilioException, TimeoutError, OSError) as exc:
        raise ProviderError(f"Twilio did not answer: {type(exc).__name__}") from exc
    finally:
        await http_client.close()
    return SentMessage(sid=str(message.sid), status=str(message.status))
