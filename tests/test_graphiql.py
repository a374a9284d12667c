"""The GraphiQL page as served: a login form, scripts only from files, and security headers on page and assets."""

from __future__ import annotations

import re

import httpx
import pytest

from winnerr import graphiql

PAGE = {"Accept": "text/html"}
JAVASCRIPT = {"text/javascript", "application/javascript"}  # the platform's mimetypes table picks one
CSS = {"text/css"}
ASSETS = [
    ("/graphiql/static/init.js", JAVASCRIPT),
    ("/graphiql/static/page.css", CSS),
    ("/graphiql/static/vendor/graphiql/graphiql.min.js", JAVASCRIPT),
    ("/graphiql/static/vendor/graphiql/graphiql.min.css", CSS),
]


def assert_secured(response: httpx.Response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self';"), policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_page_has_a_login_form_and_says_what_to_do(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=PAGE)
    assert response.status_code == 200
    assert_secured(response)
    html = response.text
    assert re.search(r'<form id="login" action="/auth/token"', html)
    assert 'type="email"' in html
    assert 'type="password"' in html
    assert "Log in to use the API" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"


@pytest.mark.parametrize(("path", "content_types"), ASSETS, ids=[path for path, _ in ASSETS])
async def test_assets_are_served_with_their_type_and_headers(
    client: httpx.AsyncClient, path: str, content_types: set[str]
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in content_types
    assert_secured(response)


async def test_the_script_logs_in_against_the_token_route(client: httpx.AsyncClient) -> None:
    script = (await client.get("/graphiql/static/init.js")).text
    assert "'/auth/token'" in script
    assert "grant_type: 'password'" in script
    assert "sessionStorage" in script


async def test_without_its_assets_the_page_says_how_to_install_them(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graphiql, "VENDOR_BUNDLE", graphiql.STATIC_DIR / "vendor" / "not-installed.js")
    response = await client.get("/graphql", headers=PAGE)
    assert response.status_code == 503
    assert_secured(response)
    assert "run <code>npm ci</code> in the repository's <code>graphiql/</code> folder" in response.text
    assert "<script" not in response.text

