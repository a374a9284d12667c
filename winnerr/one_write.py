"""`OneWriteHttpProtocol`: uvicorn's httptools connection, writing a response's head and body in one `send()`.

uvicorn writes the status line and headers when the app sends `http.response.start`, and the body when it sends
`http.response.body`: two system calls, and over a real network two TCP segments, for an answer that is all
there in the same step of the event loop. On loopback under load each of those writes costs the server more
than the whole of some middleware (py-spy under wrk: the head's write alone was about a tenth of the server's
CPU per GraphQL request). This subclass holds a request's first write (the head, or a `100 Continue`) until its
next write, which then goes out with it in one, or until the loop's next step, whichever comes first: a
streamed response (server-sent events) whose first event takes a while still gets its head straight away, and
the bytes on the wire are exactly uvicorn's. Everything else is uvicorn's, but for one check: uvicorn builds each
request's access line's arguments (client address, path and query) even when its logger's level drops the line.

Checked against uvicorn 0.54.0 (the pinned one), whose `RequestResponseCycle` uses of its transport only `write`
and `close`, and whose `on_headers_complete` makes the request's cycle (`self.cycle`) and starts its task without
letting it run. tests/test_one_write.py checks a plain answer, a `HEAD`, a streamed answer and a keep-alive
connection served by it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeldHead:
    """The transport as a request's cycle sees it: its first write waits for the second, or for the loop's next
    step."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        """The first write until it goes out (then empty); None before it."""

    def write(self, data: bytes) -> None:
        if self._held is None:
            self._held = data
            self._loop.call_soon(self.flush)
            return
        if self._held:
            data, self._held = self._held + data, b""
        self._transport.write(data)

    def flush(self) -> None:
        """Write what is held (nothing once it went out with the next write)."""
        held, self._held = self._held, b""
        if held and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
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
            self.cycle.transport = HeldHead(self.transport, self.loop)  # type: ignore[assignment]
