"""`Cors`: Starlette's CORS middleware, answering a request without an `Origin` header with less work.

A request with no `Origin` is no browser's cross-origin request (every server-to-server call, every probe): all
Starlette's middleware does for it is set `Vary: Origin` on its answer, building a `Headers` over the request's
headers, a partial and a `MutableHeaders` over the answer's to do so. This subclass sets the same header on the raw
list itself (`winnerr.raw_headers`); a request with an `Origin` (simple or preflight) is Starlette's, unchanged.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from winnerr.raw_headers import values_of, with_header

ORIGIN, VARY = b"origin", b"vary"


class Cors(CORSMiddleware):
    """See the module."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == ORIGIN for name, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def vary_by_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                vary = ", ".join([*values_of(headers, VARY), "Origin"])
                message["headers"] = with_header(headers, VARY, vary.encode("latin-1"))
            await send(message)

        await self.app(scope, receive, vary_by_origin)
