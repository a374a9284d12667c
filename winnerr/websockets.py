"""GraphQL over websockets: authentication in `connection_init`, origin check, expiry, presence.

Both subprotocols (`graphql-transport-ws` and the legacy `graphql-ws`) are Strawberry's; this module decides
who may connect. A socket lives no longer than its token: at `exp` it is closed with 4401.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from starlette.datastructures import Headers
from starlette.types import Scope
from strawberry.exceptions import ConnectionRejectionError

from winnerr.auth.principal import resolve_principal
from winnerr.auth.tokens import bearer_token, verify_access_token
from winnerr.context import Context
from winnerr.errors import DomainError
from winnerr.settings import Settings
from winnerr.state import AppState

CONNECTION_INIT_SECONDS = 10
TOKEN_EXPIRED_CLOSE_CODE = 4401
ORGANIZATION_PARAM = "x-organization-id"


def origin_allowed(scope: Scope, settings: Settings) -> bool:
    """Browsers send an Origin: it must be the server's own or one of CORS_ORIGINS. Other clients send none."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None or origin in settings.cors_origins:
        return True
    return urlparse(origin).netloc == headers.get("host")


async def authenticate(context: Context, state: AppState) -> None:
    """Accept `connection_init` only with a valid bearer token in its payload; refuse it otherwise."""
    params = {key.lower(): value for key, value in context.connection_params.items()}
    try:
        claims = verify_access_token(state.settings, bearer_token(_text(params.get("authorization"))))
        async with state.database.sessions() as session:
            context.authenticated = await resolve_principal(session, claims, _text(params.get(ORGANIZATION_PARAM)))
    except DomainError as error:
        raise ConnectionRejectionError({"message": error.message, "code": error.code.value}) from None
    principal = context.principal
    _close_at_expiry(context, principal.expires_at)
    await state.presence.join(context.connection_id, principal.organization_id, principal.user_id)


async def disconnected(context: Context, state: AppState) -> None:
    if context.authenticated is not None:
        principal = context.authenticated
        await state.presence.leave(context.connection_id, principal.organization_id, principal.user_id)


def _close_at_expiry(context: Context, expires_at: datetime) -> None:
    delay = max(0.0, (expires_at - datetime.now(UTC)).total_seconds())

    async def close() -> None:
        await asyncio.sleep(delay)
        await context.disconnect(TOKEN_EXPIRED_CLOSE_CODE, "Token expired")

    task = asyncio.get_running_loop().create_task(close())
    context.on_disconnect.append(task.cancel)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
