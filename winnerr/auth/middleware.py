"""Authentication as pure ASGI middleware: the principal is resolved before any GraphQL work.

The routes that `winnerr.access` marks as authenticated need `Authorization: Bearer <jwt>`. Authentication is
split around the rate limit: `AuthenticationMiddleware` verifies the token once and sets the principal (or
remembers why it could not), the rate limit counts the request (per member, else per client IP), and
`RequireAuthentication` answers a missing or bad token with 401 in the contract's body, so a 401 is counted and
carries the `RateLimit-*` headers like every other answer. Websockets authenticate in `connection_init` instead.
"""

from __future__ import annotations

import logging

from asgi_correlation_id import correlation_id
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from winnerr.access import PRINCIPAL_KEY, route_policy
from winnerr.auth.principal import Principal, resolve_principal
from winnerr.auth.tokens import bearer_token, verify_bearer
from winnerr.errors import DomainError, ErrorCode, RateLimited, Unauthenticated, internal_error_message
from winnerr.raw_headers import header
from winnerr.state import STATE_KEY, AppState

ORGANIZATION_HEADER = b"x-organization-id"
REFUSAL_KEY = "winnerr.refusal"
"""Where identification puts why a request that needs a token has no principal."""

logger = logging.getLogger("winnerr.errors")


def error_response(error: DomainError) -> JSONResponse:
    """401 (with `WWW-Authenticate`), 429 (with `Retry-After`) or else 403, in the contract's body."""
    headers: dict[str, str] = {}
    if isinstance(error, Unauthenticated):
        status, headers = 401, {"WWW-Authenticate": "Bearer"}
    elif isinstance(error, RateLimited):
        status, headers = 429, {"Retry-After": str(error.retry_after)}
    else:
        status = 403
    body = {"errors": [{"message": error.message, "extensions": error.extensions}]}
    return JSONResponse(body, status_code=status, headers=headers)


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected outside GraphQL: logged with the request id, answered without details."""
    request_id = correlation_id.get() or "-"
    logger.error("Unexpected error (request id %s)", request_id, exc_info=exc)
    extensions = {"code": ErrorCode.INTERNAL_ERROR.value, "requestId": request_id}
    body = {"errors": [{"message": internal_error_message(request_id), "extensions": extensions}]}
    return JSONResponse(body, status_code=500)  # `RequestId` adds the X-Request-ID header


async def client_disconnected(request: Request, exc: Exception) -> Response:
    """The client went away mid-request (`ClientDisconnect`): nobody reads the answer, and it is no error."""
    logger.info("Client disconnected mid-request (request id %s)", correlation_id.get() or "-")
    return Response(status_code=400)


class AuthenticationMiddleware:
    """Identifies the caller of a route that needs a token: the principal, or the reason there is none
    (answered by `RequireAuthentication` once the rate limit has counted the request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_policy(scope).authenticated:
            await self._identify(scope)
        await self.app(scope, receive, send)

    async def _identify(self, scope: Scope) -> None:
        state: AppState = scope["state"][STATE_KEY]
        try:
            token = bearer_token(header(scope, b"authorization"))
            scope[PRINCIPAL_KEY] = await _principal(state, token, header(scope, ORGANIZATION_HEADER))
        except DomainError as error:
            scope[REFUSAL_KEY] = error


async def _principal(state: AppState, token: str, requested_org: str | None) -> Principal:
    """The token's principal: remembered from a recent request (`winnerr.auth.principals`), else verified once
    and looked up."""
    key = (token, requested_org)
    principal = state.principals.get(key)
    if principal is None:
        claims = await verify_bearer(state.settings, token)
        async with state.database.sessions() as session:
            principal = await resolve_principal(session, claims, requested_org)
        state.principals.put(key, principal)
    return principal


class RequireAuthentication:
    """Answers a route that needs a token with 401 (or 403 for an organization that is not the caller's)
    when `AuthenticationMiddleware` found no principal."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal: DomainError | None = scope.get(REFUSAL_KEY)
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)
