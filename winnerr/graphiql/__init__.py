"""Offline GraphiQL: the HTML page plus its static assets (no CDN), each sent with security headers.

`graphiql_page()` is the page (`GET /graphql` from a browser); `static_app()` serves its assets, and must be
mounted at ``/graphiql/static`` since the page references them there. The page has no inline script or style,
so it runs under ``Content-Security-Policy: default-src 'self'`` (plus ``data:`` fonts and images, which
GraphiQL's stylesheet embeds); it may not be framed, and nothing it loads is content-sniffed.
The page's own login form (``static/init.js``) gets a token from ``POST /auth/token`` and keeps it in
``sessionStorage``.
GraphiQL, React and graphql-ws are not in this repository: ``npm ci`` in the top-level ``graphiql/`` folder
installs the versions its ``package-lock.json`` pins and copies their browser builds into ``static/vendor/``
(ignored by git; packaged in a wheel when present). Until then the page is one line saying so.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ASSETS_MISSING_HTML", "GRAPHIQL_HTML", "SECURITY_HEADERS", "STATIC_DIR", "graphiql_page", "static_app"]

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; font-src 'self' data:; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""Sent with the page and every asset."""

GRAPHIQL_HTML: str = files(__name__).joinpath("page.html").read_text(encoding="utf-8")
"""The GraphiQL HTML page, read once at import time."""

STATIC_DIR: Path = Path(__file__).resolve().parent / "static"
"""Directory holding ``init.js``, ``page.css`` and ``vendor/`` (to be mounted)."""

VENDOR_BUNDLE: Path = STATIC_DIR / "vendor" / "graphiql" / "graphiql.min.js"
"""The file whose presence says that ``npm ci`` has installed the page's assets."""

ASSETS_MISSING_HTML: str = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Winnerr GraphiQL</title></head><body>'
    "<p>GraphiQL's assets are not installed: run <code>npm ci</code> in the repository's <code>graphiql/</code>"
    " folder (or <code>./scripts/install serve</code>), then reload. The API itself works without them.</p>"
    "</body></html>"
)
"""What ``GET /graphql`` shows a browser while the assets are missing (Node.js and npm are needed to add them)."""


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page with its security headers, or (503) the one line saying how to install its assets."""
    if not VENDOR_BUNDLE.is_file():
        return HTMLResponse(ASSETS_MISSING_HTML, status_code=503, headers=SECURITY_HEADERS)
    return HTMLResponse(GRAPHIQL_HTML, headers=SECURITY_HEADERS)


def static_app() -> ASGIApp:
    """An ASGI app serving the GraphiQL static files from :data:`STATIC_DIR`, with the security headers.

    Mount it at ``/graphiql/static``.
    """
    files = StaticFiles(directory=STATIC_DIR)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await files(scope, receive, send_with_headers)

    return app
