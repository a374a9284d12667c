"""Our handlers of the two GraphQL websocket subprotocols, on top of Strawberry's.

- `connection_init` is authenticated by `winnerr.websockets.authenticate`; a refusal closes the socket
  with its own code and reason (over the legacy protocol after a `connection_error`), never by a crash.
- Every operation, a query, a mutation or a subscription on either protocol, runs in a task of its own
  with a request id of its own (the logs' `[request id]`), counted against the bounds of `OpenSockets`.
  Its result stream is closed inside that task, so its unit of work ends there, also when the socket dies
  (Strawberry's legacy handler ran subscriptions only, and closed streams from another task).
- A subscription on a socket the server lets us write to directly (`KeptServerSend`, uvicorn's websockets-sansio)
  is handed over to its audience once it has replayed (`winnerr.subscriptions.fanout`): its stream ends without
  `complete`, and the audience writes its events until the client completes it (`Deliveries`) or the socket
  closes; it stays counted against the bounds meanwhile.
- A client that goes away is not an error; other failures of an operation's task are logged once.
- `BoundedWebSocket` holds messages to the HTTP body limit under any server (1009 above it), and closing
  twice, or sending after a close, counts as the client having gone away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from typing import Any

from asgi_correlation_id import correlation_id
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    _OperationStreamClosed as OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message as TransportMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ConnectionInitMessage as LegacyInitMessage
from strawberry.subscriptions.protocols.graphql_ws.types import OperationMessage as LegacyMessage
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from winnerr.body_size import MAX_BODY_BYTES
from winnerr.context import Context
from winnerr.state import app_state
from winnerr.subscriptions.fanout import DELIVERY, Delivery, DirectSocket
from winnerr.subscriptions.sockets import InFlight, TooMany
from winnerr.websockets import BAD_REQUEST_CLOSE_CODE, SocketRefused, refusal

logger = logging.getLogger("winnerr.websockets")

TOO_MANY_INITS_CLOSE_CODE = 4429
TOO_MANY_INITS_REASON = "Too many initialisation requests"
MESSAGE_TOO_BIG_CLOSE_CODE = 1009
MESSAGE_TOO_BIG_REASON = f"Message too big: at most {MAX_BODY_BYTES} bytes"
SERVER_SEND = "winnerr.server_send"


class BoundedWebSocket(WebSocket):
    """Starlette's WebSocket, refusing messages larger than an HTTP body may be."""

    async def receive(self) -> Message:
        message = await super().receive()
        if message["type"] == "websocket.receive" and _size(message) > MAX_BODY_BYTES:
            await self.close(code=MESSAGE_TOO_BIG_CLOSE_CODE, reason=MESSAGE_TOO_BIG_REASON)
            return {"type": "websocket.disconnect", "code": MESSAGE_TOO_BIG_CLOSE_CODE}
        return message

    async def send(self, message: Message) -> None:
        if self.application_state is WebSocketState.DISCONNECTED:
            raise WebSocketDisconnect(code=1006)
        await super().send(message)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close once: a later close (expiry after a slow consumer, say) is a no-op."""
        if self.application_state is not WebSocketState.DISCONNECTED:
            with contextlib.suppress(WebSocketDisconnect):
                await super().close(code=code, reason=reason)


def _size(message: Message) -> int:
    text: str | None = message.get("text")
    data: bytes | None = message.get("bytes")
    return len(text.encode()) if text is not None else len(data or b"")


async def connect(handler: TransportWSHandler | LegacyWSHandler, payload: Any) -> SocketRefused | None:
    """Run `connection_init` through the view's `on_ws_connect`; why it was refused, if it was."""
    handler.context.connection_params = payload
    try:
        await handler.view.on_ws_connect(handler.context)
    except Exception as error:
        return refusal(error)
    return None


@contextlib.contextmanager
def operation_slot(context: Context) -> Iterator[InFlight]:
    """An operation's own request id, and its place among the socket's bounded operations in flight."""
    assert context.connection is not None
    correlation_id.set(uuid.uuid4().hex)
    with app_state(context.connection).sockets.operation(context) as in_flight:
        yield in_flight


class KeptServerSend(Starlette):
    """Starlette, keeping the server's own `send` of each websocket in its scope (`SERVER_SEND`), before any
    middleware wraps it: subscription events are written straight to the connection (`DirectSocket`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await super().__call__(scope, receive, send)


class Deliveries:
    """A socket's subscriptions its audience may deliver (`winnerr.subscriptions.fanout`), by operation id."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._deliveries: dict[str, Delivery] = {}

    def __contains__(self, operation_id: str) -> bool:
        delivery = self._deliveries.get(operation_id)
        return delivery is not None and delivery.joined

    @contextlib.contextmanager
    def operation(self, operation_id: str, in_flight: InFlight, *, legacy: bool) -> Iterator[Delivery | None]:
        """The operation's delivery while its task runs (None if its socket cannot be written to directly);
        kept once it joined its audience, until `leave`."""
        connection = self._context.connection
        socket = DirectSocket.of(connection.scope.get(SERVER_SEND)) if connection is not None else None
        if socket is None:
            yield None
            return
        delivery = Delivery(socket, self._context, operation_id, in_flight, legacy=legacy)
        self._deliveries[operation_id] = delivery
        token = DELIVERY.set(delivery)
        try:
            yield delivery
        finally:
            DELIVERY.reset(token)
            if not delivery.joined and self._deliveries.get(operation_id) is delivery:
                del self._deliveries[operation_id]

    def leave(self, operation_id: str) -> bool:
        """Stop the operation's delivery; whether its audience was delivering it."""
        delivery = self._deliveries.pop(operation_id, None)
        if delivery is None:
            return False
        joined = delivery.joined
        delivery.leave()
        return joined

    def leave_all(self) -> None:
        for operation_id in list(self._deliveries):
            self.leave(operation_id)


def too_many(error: TooMany) -> GraphQLError:
    return GraphQLError(error.message, extensions=error.extensions)


def forget(message: object) -> None:
    """Empty a message once handled: Strawberry's receive loop holds the last one until the next arrives, i.e.
    for the socket's life once it has subscribed. What an operation needs of it is already its own."""
    if isinstance(message, dict):
        message.clear()


def log_task_failure(error: BaseException) -> None:
    """Log an operation's failure, unless its socket went away (the send failed, or the operation was
    cancelled because the socket closed, and what it was doing failed on the way out)."""
    task = asyncio.current_task()
    if isinstance(error, WebSocketDisconnected) or (task is not None and task.cancelling()):
        logger.info("Websocket operation ended with its socket: %s", type(error).__name__)
        return
    logger.error("Websocket operation failed (request id %s)", correlation_id.get() or "-", exc_info=error)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws: Strawberry's, with our refusals, request ids and bounds."""

    async def handle_message(self, message: TransportMessage) -> None:
        try:
            await super().handle_message(message)
        finally:
            forget(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload", {})
        if self.connection_init_received or self.connection_timed_out or not isinstance(payload, dict):
            await super().handle_connection_init(message)  # 4429 or 4400, as the protocol says
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
            self.connection_init_timeout_task = None  # not kept, ended, for the socket's life
        self.connection_init_received = True
        refused = await connect(self, payload)
        if refused is not None:
            await self.websocket.close(code=refused.close_code, reason=refused.reason)
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self.context)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        try:
            with (
                operation_slot(self.context) as in_flight,
                self.deliveries.operation(operation.id, in_flight, legacy=False) as delivery,
            ):
                await self._run(operation, delivery)
        except TooMany as error:
            await operation.send_initial_errors([too_many(error)])

    async def _run(self, operation: Operation[Context, None], delivery: Delivery | None) -> None:
        """Strawberry's `run_operation`, except that a subscription its audience now delivers is not complete."""
        try:
            source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                await self._send_result_stream(operation, source)
            if delivery is None or not delivery.joined:
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def cleanup_operation(self, operation_id: str) -> None:
        self.deliveries.leave(operation_id)
        await super().cleanup_operation(operation_id)

    async def handle_task_exception(self, error: Exception) -> None:
        log_task_failure(error)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """graphql-ws (subscriptions-transport-ws): queries and mutations too, each stream closed in its task."""

    async def handle_message(self, message: LegacyMessage) -> None:
        try:
            await super().handle_message(message)
        finally:
            forget(message)

    async def handle_connection_init(self, message: LegacyInitMessage) -> None:
        if self.connection_acknowledged:
            await self.websocket.close(code=TOO_MANY_INITS_CLOSE_CODE, reason=TOO_MANY_INITS_REASON)
            return
        payload = message.get("payload")
        refused = await connect(self, {} if payload is None else payload)
        if refused is not None:
            await self.send_message({"type": "connection_error", "payload": refused.payload})
            await self.websocket.close(code=refused.close_code, reason=refused.reason)
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self.context)

    async def handle_start(self, message: StartMessage) -> None:
        payload: Any = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            await self.websocket.close(code=BAD_REQUEST_CLOSE_CODE, reason="Bad request: start needs a query")
            return
        if message["id"] in self.deliveries:  # a new operation under the id of one its audience delivers
            await self.cleanup_operation(message["id"])
        await super().handle_start(message)

    async def handle_async_results(
        self, operation_id: str, query: str, operation_name: str | None, variables: dict[str, object] | None
    ) -> None:
        try:
            with (
                operation_slot(self.context) as in_flight,
                self.deliveries.operation(operation_id, in_flight, legacy=True) as delivery,
            ):
                source = await self.schema.stream(
                    query, variable_values=variables, operation_name=operation_name, context_value=self.context
                )
                async with aclosing(source):
                    await self._send_results(operation_id, source)
            if delivery is None or not delivery.joined:
                await self.send_message({"type": "complete", "id": operation_id})
        except TooMany as error:
            await self.send_message({"type": "error", "id": operation_id, "payload": too_many(error).formatted})
        except asyncio.CancelledError:
            with contextlib.suppress(WebSocketDisconnected):
                await self.send_message({"type": "complete", "id": operation_id})
            raise
        except WebSocketDisconnected:
            pass
        except Exception as error:
            log_task_failure(error)
        finally:
            self.tasks.pop(operation_id, None)

    async def cleanup(self) -> None:
        self.deliveries.leave_all()
        await super().cleanup()

    async def _send_results(self, operation_id: str, source: AsyncIterator[Any]) -> None:
        async for result in source:
            if isinstance(result, PreExecutionError) and result.errors:
                error = result.errors[0].formatted
                await self.send_message({"type": "error", "id": operation_id, "payload": error})
                return
            await self.send_data_message(result, operation_id)

    async def cleanup_operation(self, operation_id: str) -> None:
        """Stop an operation by cancelling its task, which closes its stream itself; or, if its audience
        delivers it, by leaving the audience (and telling the client it is complete)."""
        if self.deliveries.leave(operation_id):
            with contextlib.suppress(WebSocketDisconnected):
                await self.send_message({"type": "complete", "id": operation_id})
        task = self.tasks.pop(operation_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
