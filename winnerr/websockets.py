"""GraphQL over websockets: authentication in `connection_init`, origin check, expiry, presence, limits.

Both subprotocols (`graphql-transport-ws` and the legacy `graphql-ws`) are Strawberry's, run by our
handlers (`winnerr.websocket_protocols`); this module decides who may connect. A refused `connection_init`
is closed with a code that says why (`SocketRefused`): 4400 a malformed payload, 4401 no valid token,
4403 no membership, 4429 too many sockets, 4500 an unexpected error. A socket lives no longer than its
token: at `exp` it is closed with 4401.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from asgi_correlation_id import correlation_id
from starlette.datastructures import Headers
from starlette.types import Scope
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.websocket_origin import is_same_origin, normalize_origin

from winnerr.auth.principal import Principal, resolve_principal
from winnerr.auth.tokens import Claims, bearer_token, verify_bearer
from winnerr.context import Context
from winnerr.errors import DomainError, ErrorCode, RateLimited, Unauthenticated, internal_error_message
from winnerr.ratelimit import member_key
from winnerr.settings import Settings
from winnerr.state import AppState
from winnerr.subscriptions.sockets import MEMBERSHIP_ENDED_CLOSE_CODE, TooMany

logger = logging.getLogger("winnerr.websockets")

CONNECTION_INIT_SECONDS = 10
BAD_REQUEST_CLOSE_CODE = 4400
UNAUTHORIZED_CLOSE_CODE = 4401
TOKEN_EXPIRED_CLOSE_CODE = UNAUTHORIZED_CLOSE_CODE
FORBIDDEN_CLOSE_CODE = 4403
TOO_MANY_CLOSE_CODE = 4429
INTERNAL_ERROR_CLOSE_CODE = 4500
UNAUTHORIZED_REASON = "Unauthorized: send a valid token in connection_init's authorization"
TOKEN_EXPIRED_REASON = "Token expired: reconnect with a fresh token in connection_init's authorization"
BAD_PAYLOAD_REASON = "Bad request: connection_init's payload must be an object"
ORGANIZATION_PARAM = "x-organization-id"


class SocketRefused(ConnectionRejectionError):
    """A refused `connection_init`: the close code and reason the client gets (and, over the legacy
    protocol, the `connection_error` payload sent before them)."""

    def __init__(self, close_code: int, reason: str, error_code: ErrorCode) -> None:
        super().__init__({"message": reason, "code": error_code.value})
        self.close_code = close_code
        self.reason = reason


def refusal(error: Exception) -> SocketRefused:
    """The refusal a failed `connection_init` gets; anything unexpected is logged with its request id."""
    if isinstance(error, SocketRefused):
        return error
    if isinstance(error, Unauthenticated):
        return SocketRefused(UNAUTHORIZED_CLOSE_CODE, UNAUTHORIZED_REASON, error.code)
    if isinstance(error, TooMany | RateLimited):
        return SocketRefused(TOO_MANY_CLOSE_CODE, error.message, error.code)
    if isinstance(error, DomainError):
        return SocketRefused(FORBIDDEN_CLOSE_CODE, f"Forbidden: {error.message}", error.code)
    request_id = correlation_id.get() or "-"
    logger.error("Unexpected error in connection_init (request id %s)", request_id, exc_info=error)
    return SocketRefused(INTERNAL_ERROR_CLOSE_CODE, internal_error_message(request_id), ErrorCode.INTERNAL_ERROR)


def origin_allowed(scope: Scope, settings: Settings) -> bool:
    """Browsers send an Origin: it must be the server's own or one of CORS_ORIGINS (compared as browsers
    write origins: lowercase, no default port). Other clients send none. This is the only origin check:
    Strawberry's own is switched off (`graphql_app`)."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None or is_same_origin(origin, headers.get("host")):
        return True
    allowed = {normalize_origin(configured) for configured in settings.cors_origins}
    return normalize_origin(origin) in allowed - {None}


async def authenticate(context: Context, state: AppState) -> None:
    """Accept `connection_init` only with a valid bearer token in its payload, within the member's bounds
    (`OpenSockets.add`); refuse it otherwise with a `SocketRefused`.

    The socket then lives as long as its token and its membership: each operation re-reads the membership
    (a changed role applies at once, a removed member is refused and disconnected) and counts against the
    member's API rate limit; `OpenSockets` re-checks every socket's membership between operations."""
    payload: Any = context.connection_params
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise SocketRefused(BAD_REQUEST_CLOSE_CODE, BAD_PAYLOAD_REASON, ErrorCode.VALIDATION_ERROR)
    params = {str(key).lower(): value for key, value in payload.items()}
    context.connection_params = {}  # read once: the token is not kept for the socket's life
    organization = _text(params.get(ORGANIZATION_PARAM))
    try:
        verified = await verify_bearer(state.settings, bearer_token(_text(params.get("authorization"))))
        claims = verified.for_readmission()
        context.authenticated = await _member(state, claims, organization)
        await state.sockets.add(context)
    except Exception as error:
        context.authenticated = None
        raise refusal(error) from None

    async def admit() -> None:
        await _readmit(context, state, claims, organization)
        window = await state.limits.api.hit("api", member_key(context.principal))
        if not window.allowed:
            raise RateLimited(window.reset_after)

    context.admit = admit
    principal = context.principal
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


_closing: set[asyncio.Task[None]] = set()


def _close_at_expiry(context: Context, expires_at: datetime) -> None:
    """A timer, not a task sleeping for hours: a few hundred bytes per socket instead of a few KiB."""
    delay = max(0.0, (expires_at - datetime.now(UTC)).total_seconds())
    loop = asyncio.get_running_loop()

    def close() -> None:
        task = loop.create_task(context.disconnect(TOKEN_EXPIRED_CLOSE_CODE, TOKEN_EXPIRED_REASON))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    context.on_disconnect.append(loop.call_later(delay, close).cancel)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
