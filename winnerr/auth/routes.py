"""The /auth routes: an OAuth2-style token endpoint, RFC 7009 revocation, and a development debug view."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from winnerr.auth import refresh
from winnerr.auth.login import Login, LoginRefused
from winnerr.auth.principal import Principal
from winnerr.auth.tokens import bearer_token, verify_bearer
from winnerr.errors import RateLimited
from winnerr.ratelimit import client_ip
from winnerr.state import app_state, principal_of

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def token(request: Request) -> Response:
    """`grant_type=password` (email, password, optional organization_id), `grant_type=refresh_token`, or
    `grant_type=invitation` (invitation_token, password: accepts an `addMember` invitation and sets the password)."""
    form = await _body(request)
    login = Login(app_state(request).settings, app_state(request).database, app_state(request).limits.auth)
    try:
        match form.get("grant_type"):
            case "password":
                issued = await login.with_password(
                    str(form.get("email", "")),
                    str(form.get("password", "")),
                    form.get("organization_id"),
                    client=client_ip(request.scope),
                )
            case "refresh_token":
                issued = await login.with_refresh_token(str(form.get("refresh_token", "")))
            case "invitation":
                token, password = str(form.get("invitation_token", "")), str(form.get("password", ""))
                issued = await login.with_invitation(token, password)
            case _:
                return _oauth_error(
                    "unsupported_grant_type", "grant_type must be password, refresh_token or invitation"
                )
    except LoginRefused as exc:
        return _oauth_error(exc.error, exc.description)
    except RateLimited as exc:
        return _oauth_error("slow_down", "Too many failed attempts", status=429, retry_after=exc.retry_after)
    return JSONResponse(issued, headers=NO_STORE)


async def revoke(request: Request) -> Response:
    form = await _body(request)
    value = form.get("token") or form.get("refresh_token")
    if value:
        async with app_state(request).database.sessions.begin() as session:
            await refresh.revoke(session, str(value))
    return JSONResponse({}, headers=NO_STORE)


async def debug(request: Request) -> Response:
    """The verified claims and the resolved membership (`AUTH_DEBUG`: development only; 404 in production)."""
    if not app_state(request).settings.allows_auth_debug:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    principal: Principal = principal_of(request)
    claims = await verify_bearer(app_state(request).settings, bearer_token(request.headers.get("authorization")))
    return JSONResponse(
        {
            "claims": claims.raw,
            "membership": {
                "userId": str(principal.user_id),
                "email": principal.email,
                "organizationId": str(principal.organization_id),
                "role": principal.role.value,
                "permissions": sorted(principal.permissions),
            },
        }
    )


async def _body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return dict(await request.form())


def _oauth_error(error: str, description: str, *, status: int = 400, retry_after: int | None = None) -> Response:
    headers = dict(NO_STORE)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


routes = [
    Route("/auth/token", token, methods=["POST"]),
    Route("/auth/revoke", revoke, methods=["POST"]),
    Route("/auth/debug", debug, methods=["GET"]),
]
