"""GraphQL over HTTP and websockets at /graphql: Strawberry's ASGI app, our Context, offline GraphiQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from asgi_correlation_id import correlation_id
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.unset import UnsetType

from winnerr.context import Context
from winnerr.errors import ErrorCode
from winnerr.graphiql import GRAPHIQL_HTML
from winnerr.schema import schema
from winnerr.state import app_state, principal_of
from winnerr.websocket_protocols import BoundedWebSocket, LegacyWSHandler, TransportWSHandler
from winnerr.websockets import CONNECTION_INIT_SECONDS, authenticate, disconnected, origin_allowed

CONTEXT_KEY = "winnerr.context"
DOCUMENT_ERROR_CODES = {ErrorCode.VALIDATION_ERROR.value, ErrorCode.QUERY_TOO_COMPLEX.value}


def wants_graphiql(scope: Scope) -> bool:
    """A browser navigating to /graphql (it gets GraphiQL, which then sends the token itself)."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")


class WinnerrGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = app_state(request)
        context = Context(
            settings=state.settings,
            database=state.database,
            hub=state.hub,
            request_id=correlation_id.get() or "-",
        )
        if isinstance(request, WebSocket):
            context.connection = request
            request.scope[CONTEXT_KEY] = context
        else:
            context.authenticated = principal_of(request)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        assert context.connection is not None
        await authenticate(context, app_state(context.connection))
        return UnsetType()

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """A document that could not run at all (syntax, unknown field, too complex) is a 400."""
        if isinstance(response_data, dict) and _is_malformed(response_data):
            sub_response.status_code = 400
        return super().create_response(response_data, sub_response)


def _is_malformed(response: GraphQLHTTPResponse) -> bool:
    errors: list[Any] = list(response.get("errors") or [])
    return response.get("data") is None and bool(errors) and all(map(_is_document_error, errors))


def _is_document_error(error: dict[str, Any]) -> bool:
    return "path" not in error and error.get("extensions", {}).get("code") in DOCUMENT_ERROR_CODES


class GraphQLEndpoint:
    """/graphql: GraphiQL for a browser's GET, Strawberry for everything else."""

    def __init__(self) -> None:
        self.graphql = WinnerrGraphQL(
            schema,
            graphql_ide=None,
            allow_queries_via_get=True,
            connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
            allowed_origins=("*",),  # `origin_allowed` is the only origin check
            max_subscriptions_per_connection=None,  # bounded per socket and per member by `OpenSockets`
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if wants_graphiql(scope):
            await HTMLResponse(GRAPHIQL_HTML)(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(BoundedWebSocket(scope, receive, send))
        else:
            await self.graphql(scope, receive, send)

    async def _websocket(self, websocket: WebSocket) -> None:
        state = app_state(websocket)
        if not origin_allowed(websocket.scope, state.settings):
            await websocket.close(code=4403, reason="Origin not allowed")
            return
        try:
            await self.graphql.run(websocket)
        finally:
            context: Context | None = websocket.scope.get(CONTEXT_KEY)
            if context is not None:
                for callback in context.on_disconnect:
                    callback()
                await disconnected(context, state)
