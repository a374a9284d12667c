"""Offline GraphiQL: the HTML page plus vendored static assets (no CDN).

Mount the assets and serve the page, e.g.::

    from starlette.responses import HTMLResponse
    from starlette.routing import Mount, Route

    from winnerr.graphiql import GRAPHIQL_HTML, static_app

    routes = [
        Route("/graphiql", lambda request: HTMLResponse(GRAPHIQL_HTML)),
        Mount("/graphiql/static", app=static_app()),
    ]

The page references its assets as ``/graphiql/static/...``, so the mount path
must be exactly that. It contains no inline script or style, so it works under
a strict ``Content-Security-Policy`` (``script-src 'self'``).
Vendored versions and checksums are listed in ``static/vendor/VERSIONS.txt``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.staticfiles import StaticFiles

__all__ = ["GRAPHIQL_HTML", "STATIC_DIR", "static_app"]

GRAPHIQL_HTML: str = files(__name__).joinpath("page.html").read_text(encoding="utf-8")
"""The GraphiQL HTML page, read once at import time."""

STATIC_DIR: Path = Path(__file__).resolve().parent / "static"
"""Directory holding ``init.js``, ``page.css`` and ``vendor/`` (to be mounted)."""


def static_app() -> StaticFiles:
    """Return an ASGI app serving the GraphiQL static files from :data:`STATIC_DIR`.

    Mount it at ``/graphiql/static``.
    """
    return StaticFiles(directory=STATIC_DIR)
