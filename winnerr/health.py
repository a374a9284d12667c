"""Liveness and readiness probes, and `GET /`: where to go from the root."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from winnerr.state import app_state

ROOT = {
    "name": "Winnerr API",
    "graphql": "/graphql",
    "graphiql": "/graphql (open it in a browser)",
    "health": "/health",
    "ready": "/ready",
    "token": "/auth/token",
}


async def root(request: Request) -> Response:
    return JSONResponse(ROOT)


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    if await app_state(request).database.is_ready():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "reason": "database"}, status_code=503)


routes = [
    Route("/", root, methods=["GET"]),
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
]
