"""`HttpOnly`: the middlewares that act on HTTP requests alone, as one block that a websocket goes around."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send


class HttpOnly:
    """Wraps the app in `middleware` (outermost first) for HTTP requests; every other scope goes straight to the
    app. Each of these would pass a websocket through untouched, but a websocket keeps its whole ASGI call chain
    suspended for its life: a frame per middleware, per socket, that this block leaves out."""

    def __init__(self, app: ASGIApp, *middleware: Middleware) -> None:
        self.app = app
        self.http = app
        for cls, args, kwargs in reversed(middleware):
            self.http = cls(self.http, *args, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self.http if scope["type"] == "http" else self.app)(scope, receive, send)
