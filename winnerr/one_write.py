"""`OneWriteHttpProtocol`: uvicorn's httptools connection, writing a response's head and body in one `send()`.

uvicorn writes the status line and headers when the app sends `http.response.start`, and the body when it sends
`http.response.body`: two system calls, and over a real network two TCP segments, for an answer that is all
there in the same step of the event loop. On loopback under load each of those writes costs the server more
than the whole of some middleware (py-spy under wrk: the head's write alone was about a tenth of the server's
CPU per GraphQL request). This subclass holds the head of a response that declares its `Content-Length` (every
`Response` of Starlette's: its body follows at once) until the body's first write, which then goes out with it
in one. Every other write goes out as uvicorn makes it: a `100 Continue`, the head of a streamed answer
(server-sent events: chunked, its first event may take a while) and of a `HEAD` (no body follows); and a
connection closed with a head held writes it first. The bytes on the wire are exactly uvicorn's.

Everything else is uvicorn's, but for one check: uvicorn builds each request's access line's arguments (client
address, path and query) even when its logger's level drops the line; this protocol does not.

Checked against uvicorn 0.54.0 (the pinned one), whose `RequestResponseCycle` uses of its transport only `write`
and `close`, sets `response_started` and `chunked_encoding` (False for a declared length) before it writes a
head, and whose `on_headers_complete` makes the request's cycle (`self.cycle`) and starts its task without
letting it run. tests/test_one_write.py checks plain answers, a `HEAD` and a streamed answer over keep-alive.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class HeldHead:
    """The transport as a request's cycle sees it: the head of a response of declared length waits for the
    body's first write (see the module)."""

    __slots__ = ("_cycle", "_held", "_transport", "_wrote_head")

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        self._transport = transport
        self._cycle = cycle
        self._held = b""
        self._wrote_head = False

    def write(self, data: bytes) -> None:
        if self._held:
            data, self._held = self._held + data, b""
        elif not self._wrote_head and self._cycle.response_started:
            self._wrote_head = True
            if self._cycle.chunked_encoding is False and self._cycle.scope["method"] != "HEAD":
                self._held = data
                return
        self._transport.write(data)

    def close(self) -> None:
        if self._held and not self._transport.is_closing():
            self._transport.write(self._held)
        self._held = b""
        self._transport.close()


class OneWriteHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, each request's cycle writing through a `HeldHead`; and not preparing an
    access line (uvicorn's own, at INFO) for a logger whose level drops it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = self.access_log and self.access_logger.isEnabledFor(logging.INFO)

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous and self.transport is not None:  # an upgrade makes no cycle
            self.cycle.transport = HeldHead(self.transport, self.cycle)  # type: ignore[assignment]
