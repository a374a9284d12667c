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

from winnerr.auth.principal import Principal, resolve_principal
from winnerr.auth.tokens import Claims, bearer_token, verify_bearer
from winnerr.context import Context
from winnerr.errors import DomainError, RateLimited
from winnerr.settings import Settings
from winnerr.state import AppState
from winnerr.subscriptions.sockets import MEMBERSHIP_ENDED_CLOSE_CODE

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
    """Accept `connection_init` only with a valid bearer token in its payload; refuse it otherwise.

    The socket then lives as long as its token and its membership: each operation re-reads the membership
    (a changed role applies at once, a removed member is refused and disconnected) and counts against the
    member's API rate limit; `OpenSockets` re-checks every socket's membership between operations."""
    params = {key.lower(): value for key, value in context.connection_params.items()}
    organization = _text(params.get(ORGANIZATION_PARAM))
    try:
        claims = await verify_bearer(state.settings, bearer_token(_text(params.get("authorization"))))
        context.authenticated = await _member(state, claims, organization)
    except DomainError as error:
        raise ConnectionRejectionError({"message": error.message, "code": error.code.value}) from None

    async def admit() -> None:
        await _readmit(context, state, claims, organization)
        window = await state.api_limiter.hit("api", f"member:{claims.subject}")
        if not window.allowed:
            raise RateLimited(window.reset_after)

    context.admit = admit
    principal = context.principal
    state.sockets.add(context)
    _close_at_expiry(context, principal.expires_at)
    await state.presence.join(context.connection_id, principal.organization_id, principal.user_id)


async def _member(state: AppState, claims: Claims, organization: str | None) -> Principal:
    async with state.database.sessions() as session:
        return await resolve_principal(session, claims, organization)


async def _readmit(context: Context, state: AppState, claims: Claims, organization: str | None) -> None:
    """Re-read the membership; if it ended, close the socket (4403) and refuse."""
    try:
        context.authenticated = await _member(state, claims, organization)
    except DomainError:
        await context.disconnect(MEMBERSHIP_ENDED_CLOSE_CODE, "Membership ended")
        raise


async def disconnected(context: Context, state: AppState) -> None:
    state.sockets.remove(context)
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
