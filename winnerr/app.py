"""The ASGI application: routes, middleware and the lifespan that opens the database."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.routing import Mount, Route, WebSocketRoute

from winnerr.auth import routes as auth_routes
from winnerr.auth.middleware import (
    AuthenticationMiddleware,
    RequireAuthentication,
    client_disconnected,
    internal_error,
)
from winnerr.auth.principals import PrincipalCache
from winnerr.body_size import BodySizeLimitMiddleware
from winnerr.cors import Cors
from winnerr.db.database import Database
from winnerr.db.embedded import database_url
from winnerr.export import routes as export_routes
from winnerr.graphiql import static_app
from winnerr.graphql_app import GraphQLEndpoint
from winnerr.health import routes as health_routes
from winnerr.http_errors import ServerErrors
from winnerr.http_only import HttpOnly
from winnerr.limits_storage import shared_storage
from winnerr.logs import AccessLog, configure_logging
from winnerr.observability import endpoint as metrics_endpoint
from winnerr.observability import tracing
from winnerr.observability.pools import PoolGauges
from winnerr.ratelimit import Limits, RateLimitMiddleware
from winnerr.request_id import RequestId, uuid4_hex
from winnerr.settings import Settings, load_settings
from winnerr.state import AppState
from winnerr.subscriptions.hub import Hub
from winnerr.subscriptions.presence import Presence
from winnerr.subscriptions.sockets import OpenSockets
from winnerr.webhooks.routes import routes as webhook_routes
from winnerr.websocket_protocols import KeptServerSend


def create_app(settings: Settings | None = None) -> Starlette:
    """The Winnerr app; settings come from the environment unless given."""
    settings = settings or load_settings()
    configure_logging(settings.winnerr_log_level)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        url = database_url(settings)
        database = Database.connect(url, role=settings.database_role, pool_mode=settings.database_pool_mode)
        limits = Limits.of(settings, shared_storage(settings, url))
        hub = Hub(settings.broadcast_url or url, settings.subscriber_queue_size)
        presence = Presence(database, hub, settings.presence_grace_seconds)
        sockets = OpenSockets(database, settings, limits.websockets)
        pools = PoolGauges({"main": database.engine, **limits.engines()})
        tracing.trace_engine(database.engine)
        await hub.start()
        await presence.start()
        await sockets.start()
        await pools.start()
        gc.freeze()  # what start-up built lives as long as the process: keep it out of every collection
        try:
            principals = PrincipalCache(settings.membership_cache_seconds)
            state = AppState(settings, database, limits, hub, presence, sockets, principals)
            yield state.as_lifespan_state()
        finally:
            await pools.stop()
            metrics_endpoint.process_stopped()
            await sockets.stop()
            await presence.stop()
            await hub.stop()
            await limits.close()
            await database.close()

    graphql = GraphQLEndpoint()
    graphql_socket = WebSocketRoute("/graphql", graphql)
    routes = [  # Starlette tries them in order: the busiest first
        Route("/graphql", graphql, methods=["GET", "POST"]),
        graphql_socket,
        *health_routes,
        *auth_routes.routes,
        *export_routes,
        *webhook_routes,
        *metrics_endpoint.routes,
        Mount("/graphiql/static", app=static_app(), name="graphiql-static"),
    ]
    middleware = [
        *tracing.middleware(),
        Middleware(RequestId, header_name="X-Request-ID", generator=uuid4_hex),
        Middleware(AccessLog),
        Middleware(HttpOnly, *http_middleware(settings), websockets=[graphql_socket]),
    ]
    handlers = {Exception: internal_error, ClientDisconnect: client_disconnected}
    return KeptServerSend(routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=handlers)


def http_middleware(settings: Settings) -> list[Middleware]:
    """What HTTP requests go through besides the request id and the access log; a websocket goes around it
    (`HttpOnly`): it checks its origin, token and limits itself (`winnerr.websockets`)."""
    return [
        Middleware(
            Cors,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "x-organization-id", "idempotency-key", "x-request-id"],
            expose_headers=[
                "x-request-id",
                "retry-after",
                "ratelimit-limit",
                "ratelimit-remaining",
                "ratelimit-reset",
                "idempotent-replayed",
            ],
        ),
        Middleware(ServerErrors, unexpected=internal_error),
        Middleware(BodySizeLimitMiddleware),
        Middleware(AuthenticationMiddleware),  # identifies the caller, or remembers why not
        Middleware(RateLimitMiddleware),  # counts per member, else per client IP
        Middleware(RequireAuthentication),  # a route that needs a token answers 401 (with the RateLimit-* headers)
    ]
