"""`winnerr serve`'s HTTP connections (`OneWriteHttpProtocol`): a response's head and body go out in one write,
and what goes out is exactly what uvicorn's own connection writes, streamed answers and keep-alive included."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tests.live import running
from winnerr.one_write import OneWriteHttpProtocol

PLAIN = b"GET /plain HTTP/1.1\r\nhost: test\r\n\r\n"
HEAD = b"HEAD /plain HTTP/1.1\r\nhost: test\r\n\r\n"
STREAM = b"GET /stream HTTP/1.1\r\nhost: test\r\n\r\n"
DATE = re.compile(rb"date: [^\r]*\r\n")


class Demo:
    """An ASGI app: /plain answers at once; /stream sends its head, then its body once `go` is set."""

    def __init__(self) -> None:
        self.go = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain"), (b"x-demo", b"1")]
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await self.go.wait()
            await send({"type": "http.response.body", "body": b"late", "more_body": False})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, (b"content-length", b"5")]})
        await send({"type": "http.response.body", "body": b"hello"})


@asynccontextmanager
async def connection(app: Demo, protocol: type[HttpToolsProtocol]) -> AsyncIterator[Any]:
    async with running(app, http=protocol) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            yield reader, writer
        finally:
            writer.close()


async def exchange(app: Demo, protocol: type[HttpToolsProtocol], *requests: bytes) -> bytes:
    """What the server wrote back to `requests`, one after the other on one connection, without its dates."""
    answers = b""
    async with connection(app, protocol) as (reader, writer):
        for request in requests:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", head)
            body = await reader.readexactly(int(length.group(1))) if length and b"HEAD" not in request else b""
            answers += head + body
    return DATE.sub(b"", answers)


async def test_answers_are_uvicorns_byte_for_byte_over_keep_alive() -> None:
    requests = (PLAIN, HEAD, PLAIN)
    ours = await exchange(Demo(), OneWriteHttpProtocol, *requests)
    assert ours == await exchange(Demo(), HttpToolsProtocol, *requests)
    assert ours.count(b"HTTP/1.1 200 OK") == 3
    assert ours.count(b"hello") == 2


async def test_a_streamed_answer_gets_its_head_before_its_body_is_ready() -> None:
    app = Demo()
    async with connection(app, OneWriteHttpProtocol) as (reader, writer):
        writer.write(STREAM)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert b"transfer-encoding: chunked" in head
        app.go.set()
        assert await asyncio.wait_for(reader.readuntil(b"0\r\n\r\n"), 10) == b"4\r\nlate\r\n0\r\n\r\n"
