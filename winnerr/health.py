"""Liveness and readiness probes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from winnerr.state import app_state


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    if await app_state(request).database.is_ready():
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "reason": "database"}, status_code=503)


routes = [Route("/health", health, methods=["GET"]), Route("/ready", ready, methods=["GET"])]
