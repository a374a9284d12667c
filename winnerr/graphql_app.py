"""GraphQL over HTTP and websockets at /graphql: Strawberry's ASGI app, our Context, offline GraphiQL.

Over HTTP the rules of the GraphQL over HTTP spec (`winnerr.graphql_http`) decide the media type, the status and
which bodies are well-formed; a refused request is answered in the contract's error shape, never as plain text.
Queries run over GET and POST, mutations over POST only (a GET is a 405); subscriptions need a websocket.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import timedelta

import orjson
from asgi_correlation_id import correlation_id
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from winnerr.access import wants_graphiql
from winnerr.context import Context
from winnerr.errors import ErrorCode
from winnerr.event_streams import held_to_its_bounds, is_event_stream
from winnerr.graphiql import graphiql_page
from winnerr.graphql_http import (
    JSON,
    RequestRefused,
    answer,
    parse_json,
    plain_operation,
    posted_operation,
    response_media_type,
    retry_after,
)
from winnerr.http_errors import json_error
from winnerr.idempotency.keys import HEADER as IDEMPOTENCY_HEADER
from winnerr.idempotency.keys import REPLAYED_HEADER, idempotent_request
from winnerr.schema import schema
from winnerr.sqlplan.lane import LANE
from winnerr.sqlplan.statements import RawJSON
from winnerr.state import app_state, principal_of
from winnerr.websocket_protocols import BoundedWebSocket, LegacyWSHandler, TransportWSHandler
from winnerr.websockets import CONNECTION_INIT_SECONDS, authenticate, disconnected, origin_allowed

CONTEXT_KEY = "winnerr.context"
OPERATIONS_BY_METHOD = {"GET": {OperationType.QUERY}, "POST": {OperationType.QUERY, OperationType.MUTATION}}
SUBSCRIPTIONS_NEED_A_SOCKET = (
    "Subscriptions are not served over plain HTTP: open a websocket to /graphql "
    "(subprotocol graphql-transport-ws or graphql-ws), or ask for server-sent events (Accept: text/event-stream)"
)


class WinnerrGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        """A websocket's context (an HTTP request's is made by `__call__`, before the view runs)."""
        return _context_of(request)

    async def create_streaming_response(
        self,
        request: Request | WebSocket,
        stream: Callable[[], AsyncIterator[str]],
        sub_response: Response,
        headers: Mapping[str, str],
    ) -> Response:
        """Server-sent events, held to a websocket's bounds (`winnerr.event_streams`)."""
        if is_event_stream(dict(headers)):
            stream = held_to_its_bounds(request.scope[CONTEXT_KEY], app_state(request), stream)
        return await super().create_streaming_response(request, stream, sub_response, headers)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        assert context.connection is not None
        await authenticate(context, app_state(context.connection))
        return UnsetType()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        context = _context_of(request)
        try:
            response = await self._answer_plainly(request, context) or await self.run(request, context=context)
        except HTTPException as refused:
            response = _refusal(request, RequestRefused(refused.reason, refused.status_code))
        except RequestRefused as refused:
            response = _refusal(request, refused)
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Never: `GraphQLEndpoint` serves GraphiQL itself; a GET without a query is a request without a query."""
        return False

    def parse_json(self, data: str | bytes) -> object:
        return parse_json(data)

    def encode_json(self, data: object) -> str:
        """Websocket messages and server-sent events; a shared answer's JSON is written once, not per socket."""
        return encode_response(data).decode()

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        content_type = parse_content_type(request.content_type or "")[0].lower()
        if request.method == "POST" and content_type == JSON:
            transport = self._get_stream_transport_from_headers(request.headers)
            protocol = transport.protocol if transport else "http"
            return posted_operation(self.parse_json(await request.get_body()), protocol)
        if request.method == "POST":
            raise RequestRefused(f"Unsupported content type {content_type or '(none)'}: send the operation as {JSON}")
        return await super().parse_http_body(request)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """The response's headers, and the media type the client accepts (`create_response` answers with it)."""
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run one operation if its type may travel by this method; a request error (no data) if it cannot run.
        A mutation with an `Idempotency-Key` may replay an earlier answer instead (`winnerr.idempotency`)."""
        key = request.headers.get(IDEMPOTENCY_HEADER)
        context.idempotency = idempotent_request(
            key, request_data.query or "", request_data.operation_name, request_data.variables
        )
        result = await self._execute(request_adapter.method, context, request_data)
        if context.idempotency is not None and context.idempotency.replayed:
            sub_response.headers[REPLAYED_HEADER] = "true"
        return result

    async def _execute(self, method: str, context: Context, request_data: GraphQLRequestData) -> ExecutionResult:
        try:
            return await self.schema.execute(
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=OPERATIONS_BY_METHOD[method],
                operation_extensions=request_data.extensions,
            )
        except MissingQueryError:
            raise RequestRefused("No GraphQL query found in the request") from None
        except CannotGetOperationTypeError as error:
            return _request_error(error.as_http_error_reason())
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                return _request_error(SUBSCRIPTIONS_NEED_A_SOCKET)
            raise RequestRefused("Mutations need POST: GET runs queries only", 405, {"Allow": "POST"}) from None

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """Answer in the media type the client accepts, with the status the spec gives that media type."""
        assert isinstance(response_data, dict), "batching is not enabled"
        response = _response(response_data, sub_response.media_type or JSON)
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    async def _answer_plainly(self, request: Request, context: Context) -> Response | None:
        """The answer to a plain request (`plain_operation`: one operation, GET or POST of JSON, answered as JSON
        or GraphQL's response type) without the view's generic steps: by the compiled read path's lane
        (`winnerr.sqlplan.lane`) for a query of a plan it knows, else by the schema. None for the view to answer
        everything else: another transport, a body that is not well-formed, a request with an `Idempotency-Key`
        (the view owns what the header means)."""
        if IDEMPOTENCY_HEADER in request.headers:
            return None
        operation = await plain_operation(request)
        if operation is None or operation.query is None:
            return None
        result = await LANE.answer(context, operation.query, operation.operation_name, operation.variables or {})
        if result is None:
            result = await self._execute(request.method, context, operation)
        return _response(await self.process_result(request, result), response_media_type(request.headers.get("accept")))


def _context_of(connection: Request | WebSocket) -> Context:
    state = app_state(connection)
    context = Context(
        settings=state.settings,
        database=state.database,
        hub=state.hub,
        request_id=correlation_id.get() or "-",
        limits=state.limits,
        principals=state.principals,
    )
    if isinstance(connection, WebSocket):
        context.connection = connection
    else:
        context.request = connection
        context.authenticated = principal_of(connection)
    connection.scope[CONTEXT_KEY] = context
    return context


def _response(response_data: GraphQLHTTPResponse, media_type: str) -> Response:
    """A GraphQL answer in `media_type`, with the status the spec gives that media type."""
    status, body = answer(response_data, media_type)
    response = Response(encode_response(body), status_code=status, media_type=media_type)
    if (seconds := retry_after(body)) is not None:
        response.headers["Retry-After"] = str(seconds)
    return response


def encode_response(body: object) -> bytes:
    """The response body as JSON; `data` already written as JSON (`RawJSON`: compiled to SQL, or a
    subscription event's answer shared by its audience) goes in as it is, unparsed. Every HTTP answer of
    /graphql is assembled here, and every websocket message: over a websocket the result is the message's
    `payload`."""
    if not isinstance(body, dict):
        return _json(body)
    data, payload = body.get("data"), body.get("payload")
    if isinstance(data, RawJSON):
        return _with_raw(body, "data", data.text.encode())
    if isinstance(payload, dict) and isinstance(payload.get("data"), RawJSON):
        return _with_raw(body, "payload", encode_response(payload))
    return _json(body)


def _with_raw(body: dict[str, object], key: str, raw: bytes) -> bytes:
    rest = {name: value for name, value in body.items() if name != key}
    tail = b"," + _json(rest)[1:] if rest else b"}"
    return b"{" + _json(key) + b":" + raw + tail


def _json(value: object) -> bytes:
    """orjson, or the standard library for what orjson does not take (an integer beyond 64 bits in a JSON
    scalar's value)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()


def _request_error(message: str) -> ExecutionResult:
    """An operation that cannot run as sent: answered like a document that does not validate."""
    error = GraphQLError(message, extensions={"code": ErrorCode.VALIDATION_ERROR.value})
    return ExecutionResult(data=None, errors=[error])


def _refusal(request: Request, refused: RequestRefused) -> Response:
    media_type = response_media_type(request.headers.get("accept"))
    return json_error(refused.status, refused.message, headers=refused.headers, media_type=media_type)


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
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
        )

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The awaitable of what answers, not awaited here: no frame of this stays suspended for a socket's life."""
        if wants_graphiql(scope):
            return graphiql_page()(scope, receive, send)
        if scope["type"] == "websocket":
            return self._websocket(BoundedWebSocket(scope, receive, send))
        return self.graphql(scope, receive, send)

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
