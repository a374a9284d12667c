"""HTTP-level errors in the contract's JSON shape, and the answer to whatever escapes a route or a middleware.

`ServerErrors` sits just inside Starlette's `ServerErrorMiddleware` and answers an exception nothing else handled:
503 with `Retry-After` while the database is not answering (a refused connection, a dropped one, an exhausted pool),
else what the app's handler of unexpected errors says (500 `INTERNAL_ERROR` with the request id, logged with its
traceback). It does not re-raise: Starlette's
`ServerErrorMiddleware` re-raises after answering so that the server logs it too, and uvicorn then closes the
keep-alive connection. A response that had already started cannot be replaced, so that exception does go on (the
server then ends the connection, which is how a client learns that a stream broke).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg.exceptions
from asgi_correlation_id import correlation_id
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from winnerr.errors import ErrorCode

JSON = "application/json"
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "Service unavailable: the database is not answering"

# What a database that is down, restarting or out of connections raises.
DATABASE_DOWN = (
    OSError,
    TimeoutError,
    PoolTimeout,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)

logger = logging.getLogger("winnerr.errors")

UnexpectedErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


def error_body(message: str, code: ErrorCode, **extensions: Any) -> dict[str, Any]:
    """The contract's error shape: `{"errors": [{"message", "extensions": {"code", …}}]}`, never a `data` key."""
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}


def json_error(
    status: int,
    message: str,
    code: ErrorCode = ErrorCode.VALIDATION_ERROR,
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON,
) -> JSONResponse:
    return JSONResponse(error_body(message, code), status_code=status, headers=headers, media_type=media_type)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from, says the database cannot be reached right now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DATABASE_DOWN):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def unavailable_response() -> Response:
    request_id = correlation_id.get() or "-"
    body = error_body(UNAVAILABLE_MESSAGE, ErrorCode.INTERNAL_ERROR, requestId=request_id)
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class ServerErrors:
    """Answer an unhandled exception of an HTTP request as JSON (503 or 500) and keep the connection open."""

    def __init__(self, app: ASGIApp, unexpected: UnexpectedErrorHandler) -> None:
        self.app = app
        self.unexpected = unexpected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:
                raise
            await (await self._answer(Request(scope), exc))(scope, receive, send)

    async def _answer(self, request: Request, exc: Exception) -> Response:
        if database_unavailable(exc):
            logger.warning("Database unavailable (request id %s): %r", correlation_id.get() or "-", exc)
            return unavailable_response()
        return await self.unexpected(request, exc)
