"""`RequestId`: asgi-correlation-id's middleware, doing for an HTTP request what it does with raw header tuples.

The library's middleware builds Starlette's `MutableHeaders` over the request's headers (copying them) to read
and set `X-Request-ID`, and again over each response's start message to append it: per request, a copy of both
header lists and a scan of each by name, under every GraphQL request. This subclass reads the request header
once, sets it (replacing any invalid one, as `MutableHeaders.__setitem__` does) and appends the response header
to the raw lists itself; validation, the generated id's format, the transformer, the Sentry extension and the
`correlation_id` context variable are the library's. A websocket goes through the library's own `__call__`.
"""

from __future__ import annotations

import os

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from asgi_correlation_id.middleware import FAILED_VALIDATION_MESSAGE
from asgi_correlation_id.middleware import logger as library_logger
from starlette.types import Message, Receive, Scope, Send

from winnerr.raw_headers import RawHeaders, with_header


def uuid4_hex() -> str:
    """`uuid.uuid4().hex` (the library's default id), without building a `UUID`: 16 random bytes with the version
    (4) and variant (RFC 4122) bits set."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return raw.hex()


class RequestId(CorrelationIdMiddleware):
    """See the module."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.raw_name = self.header_name.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        headers: RawHeaders = scope["headers"]
        header_value = next((value.decode("latin-1") for name, value in headers if name == self.raw_name), None)
        id_value = self._id_for(header_value)
        if id_value != header_value and self.update_request_header:
            scope["headers"] = with_header(headers, self.raw_name, id_value.encode("latin-1"))
        correlation_id.set(id_value)
        self.sentry_extension(id_value)

        async def with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start" and (cid := correlation_id.get()):
                message["headers"] = [*message.get("headers", ()), (self.raw_name, cid.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, with_request_id)

    def _id_for(self, header_value: str | None) -> str:
        """The request's id: the client's when it is valid, else a new one (the library's rules)."""
        failed = bool(header_value) and self.validator is not None and not self.validator(header_value or "")
        id_value = header_value if header_value and not failed else self.generator()
        if self.transformer:
            id_value = self.transformer(id_value)
        if failed:
            library_logger.warning(FAILED_VALIDATION_MESSAGE, id_value)
        return id_value
