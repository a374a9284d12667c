"""Structured logs with structlog: what every line carries, how it is rendered, and the access lines.

Every `logging` record under ``winnerr`` (the modules keep plain ``logging.getLogger``) goes through structlog's
processors: a timestamp, the level, the logger, the process id (which of `serve --workers N`'s processes wrote
it), the request id (asgi-correlation-id), and what is known of the request so far: organization id, user id,
operation name and type, outcome and error codes. Lines are JSON when stderr is not a terminal (production: one
object a line for the log collector) and readable key=value lines in a terminal (development);
``WINNERR_LOG_JSON=1`` or ``0`` overrides that guess.

`AccessLog` writes one ``request`` line per HTTP request (method, path without its query string, status, duration,
outcome); `OperationLog`, a schema extension, writes one ``operation`` line per websocket operation and annotates
the HTTP request's line with its operation. Values under keys that name a secret (passwords, tokens, secrets,
authorization, cookies, signatures, message bodies) are replaced by ``[redacted]`` on every line, whoever logs them.
The same two places count each request and operation in the metrics (`winnerr.observability.metrics`).
"""

from __future__ import annotations

import logging
import logging.config
import os
import re
import sys
import time
from collections.abc import Awaitable, Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from graphql import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from winnerr.access import PRINCIPAL_KEY
from winnerr.observability import metrics
from winnerr.subscriptions.fanout import DELIVERY

__all__ = ["AccessLog", "OperationLog", "annotate", "configure_logging", "redact"]

REQUEST: ContextVar[dict[str, Any] | None] = ContextVar("winnerr_request_log", default=None)
"""What is known of the current request or websocket operation, added to each line logged during it."""

SECRET_KEY = re.compile(r"pass(word)?|token|secret|authori[sz]ation|cookie|signature|body|content|jwt|api_?key", re.I)
REDACTED = "[redacted]"
access_logger = structlog.stdlib.get_logger("winnerr.access")
ACCESS_LINES = logging.getLogger("winnerr.access")
"""The standard library's logger under `access_logger`: whether its level lets a request line through."""


def annotate(**fields: Any) -> None:
    """Add fields to the current request's lines (and its access line); nothing outside a request."""
    current = REQUEST.get()
    if current is not None:
        current.update(fields)


def redact(value: Any) -> Any:
    """The value with every entry under a secret-naming key replaced by ``[redacted]`` (nested too)."""
    if isinstance(value, dict):
        return {key: REDACTED if SECRET_KEY.search(str(key)) else redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _request_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in (REQUEST.get() or {}).items():
        event.setdefault(key, value)
    event.setdefault("request_id", correlation_id.get())
    return event


def _process(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The writer's process id, asked each time: a worker forked after logging was configured has its own."""
    event.setdefault("pid", os.getpid())
    return event


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    return {key: REDACTED if SECRET_KEY.search(key) else redact(value) for key, value in event.items()}


def _wants_json() -> bool:
    chosen = os.environ.get("WINNERR_LOG_JSON")
    if chosen is not None:
        return chosen.strip().lower() in {"1", "true", "yes"}
    return not sys.stderr.isatty()


def configure_logging(level: str) -> None:
    """Route ``winnerr`` loggers through structlog to stderr at `level`, as JSON or readable lines."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _request_fields,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _process,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.format_exc_info,
        _redact,
    ]
    renderer = structlog.processors.JSONRenderer() if _wants_json() else structlog.dev.ConsoleRenderer(colors=False)
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": shared,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    }
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"structured": formatter},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
            "loggers": {"winnerr": {"handlers": ["console"], "level": level.upper(), "propagate": False}},
        }
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _principal_fields(principal: Any) -> dict[str, str]:
    if principal is None:
        return {}
    return {"organization_id": str(principal.organization_id), "user_id": str(principal.user_id)}


class AccessLog:
    """Pure ASGI middleware (inside the request id's): one ``request`` line per HTTP request, and the request's
    fields for every line logged while it runs. A websocket gets the fields, in its own task for its life; its
    operations get the lines. For a websocket it returns the app's awaitable rather than awaiting it: no frame
    of this stays suspended for the socket's life."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "websocket":
            REQUEST.set({})
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        fields: dict[str, Any] = {}
        token = REQUEST.set(fields)
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            REQUEST.reset(token)
            seconds = time.perf_counter() - started
            metrics.request_finished(scope, status, seconds)
            if ACCESS_LINES.isEnabledFor(logging.INFO):  # else structlog would build the line to drop it
                self._log(scope, status, seconds, fields)

    @staticmethod
    def _log(scope: Scope, status: int, seconds: float, fields: dict[str, Any]) -> None:
        fields.update(_principal_fields(scope.get(PRINCIPAL_KEY)))
        fields.setdefault("outcome", "ok" if status < 400 else "error")
        access_logger.info(
            "request",
            method=scope["method"],
            path=scope["path"],
            status=status,
            duration_ms=round(seconds * 1000, 1),
            **fields,
        )


def _operation_type(execution: ExecutionContext) -> str | None:
    """The operation's type, or None when the document did not parse (Strawberry's property would raise)."""
    if execution.graphql_document is None:
        return None
    try:
        return execution.operation_type.value
    except Exception:  # no operation to run (e.g. an unknown operation name): nothing to label
        return None


class OperationLog(SchemaExtension):
    """The operation's name, type, outcome and error codes: on the HTTP request's access line, or, over a
    websocket, on an ``operation`` line of its own; and the same in the operation metrics. Listed before
    `ErrorCodes`, so it sees the coded errors."""

    def on_operation(self) -> Iterator[None]:  # awaits nothing: a generator's steps cost less than a coroutine's
        started = time.perf_counter()
        try:
            yield
        finally:  # also when a closing socket cancels the operation after its answer was sent
            self._log(started)

    def _log(self, started: float) -> None:
        """Log now; a subscription its audience goes on delivering (`winnerr.subscriptions.fanout`) is logged
        when it ends, with its whole duration."""
        execution = self.execution_context
        result = execution.result
        errors = (getattr(result, "errors", None) or []) if result is not None else []
        operation = (execution.context, execution.operation_name, _operation_type(execution), errors)

        def ended() -> None:
            log_operation(*operation, time.perf_counter() - started)

        delivery = DELIVERY.get()
        if delivery is not None and delivery.joined:
            delivery.on_leave(ended)
        else:
            ended()


def log_operation(
    context: Any, operation_name: str | None, operation_type: str | None, errors: list[GraphQLError], seconds: float
) -> None:
    """Log an operation that ended (see `OperationLog`); the compiled read path's lane logs its own alike."""
    every_code = [str((error.extensions or {}).get("code", "UNKNOWN")) for error in errors]
    codes = sorted(set(every_code))
    fields: dict[str, Any] = {
        "operation_name": operation_name,
        "operation_type": operation_type,
        "outcome": "error" if codes else "ok",
    }
    metrics.operation_finished(operation_name, operation_type, every_code, seconds)
    if codes:
        fields["error_codes"] = codes
    if getattr(context, "connection", None) is None:
        annotate(**fields)
        return
    principal = getattr(context, "authenticated", None)
    access_logger.info("operation", duration_ms=round(seconds * 1000, 1), **fields, **_principal_fields(principal))
