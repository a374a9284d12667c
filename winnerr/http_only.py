"""`HttpOnly`: the middlewares that act on HTTP requests alone, as one block that a websocket goes around."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from starlette.middleware import Middleware
from starlette.routing import Match, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send


class HttpOnly:
    """Wraps the app in `middleware` (outermost first) for HTTP requests. A websocket to one of `websockets` goes
    straight to its endpoint, as Starlette's router would send it (its exception middleware has nothing to do for
    our websocket endpoints); every other scope goes to the app.

    Each of these middlewares would pass a websocket through untouched, but a websocket keeps its whole ASGI
    call chain suspended for its life: a frame per middleware, per socket, that this block leaves out, with the
    exception middleware's and the router's. It keeps no frame of its own either: it returns the awaitable of
    the app it hands the scope to."""

    def __init__(self, app: ASGIApp, *middleware: Middleware, websockets: Sequence[WebSocketRoute] = ()) -> None:
        self.app = app
        self.http = app
        for cls, args, kwargs in reversed(middleware):
            self.http = cls(self.http, *args, **kwargs)
        self.websockets = websockets

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "http":
            return self.http(scope, receive, send)
        if scope["type"] == "websocket":
            for route in self.websockets:
                match, route_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.update(route_scope)
                    return route.app(scope, receive, send)
        return self.app(scope, receive, send)
