"""GraphiQL in a real headless Chromium: the page loads offline under its CSP (its assets installed by `npm ci`),
logs in with its form, runs a query, and runs a subscription over the websocket."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path

from tests.browser import Page, browser_page
from tests.factories import PASSWORD, Tenant
from tests.graphql_documents import CREATE_PERSON, create_deal

QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESULT = "document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"


async def run_in_graphiql(page: Page, query: str, expect: str) -> str:
    """Type `query` into GraphiQL, press its run button, and return the result pane once it shows `expect`."""
    await page.evaluate(f"{QUERY_EDITOR}.setValue({json.dumps(query)})")
    # GraphiQL parses an edit after a short debounce, then stores it: run only what it has parsed (a stale
    # parse would send a subscription over HTTP).
    await page.wait_for(f"localStorage.getItem('graphiql:query') === {json.dumps(query)}")
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    result: str = await page.wait_for(f"{RESULT}.includes({json.dumps(expect)}) && {RESULT}")
    return result


async def open_graphiql(page: Page, host: str) -> None:
    await page.command("Page.navigate", url=f"http://{host}/graphql")
    await page.wait_for("!!document.querySelector('.graphiql-query-editor .CodeMirror')")


async def log_in(page: Page, email: str) -> None:
    """Fill in and submit the page's login form, then wait for GraphiQL to mount again with the token."""
    await page.evaluate(
        f"document.getElementById('login-email').value = {json.dumps(email)};"
        f"document.getElementById('login-password').value = {json.dumps(PASSWORD)};"
        "document.getElementById('login').requestSubmit()"
    )
    status = await page.wait_for("document.getElementById('login-status').textContent")
    assert status == f"Logged in as {email}"
    await page.wait_for("!!document.querySelector('.graphiql-query-editor .CodeMirror')")


async def test_log_in_on_the_page_then_query(host: str, tenant: Tenant) -> None:
    email = tenant.emails[tenant.role]
    async with browser_page() as page:
        await open_graphiql(page, host)
        before = await run_in_graphiql(page, "{ me { role } }", "Log in")
        assert "Unauthorized" not in before

        await log_in(page, email)
        assert await page.evaluate("sessionStorage.getItem('winnerr.graphiql.accessToken') !== null")
        answer = json.loads(await run_in_graphiql(page, "{ me { role } }", "OWNER"))
        assert answer["data"] == {"me": {"role": "OWNER"}}
        assert answer["extensions"]["cost"]["requested"] == 1

    violations = [message for message in page.messages if "Content Security Policy" in message]
    assert violations == []


async def test_a_subscription_runs_from_the_page(host: str, tenant: Tenant) -> None:
    person = (await tenant.gql(CREATE_PERSON, {"input": {"firstName": "Ana", "lastName": "Reyes"}}))["createPerson"]
    await create_deal(tenant, person["id"], title="Elm Court listing")
    async with browser_page() as page:
        await open_graphiql(page, host)
        await log_in(page, tenant.emails[tenant.role])
        subscription = "subscription { dealUpdated(after: 0) { type deal { title } } }"
        replayed = json.loads(await run_in_graphiql(page, subscription, "Elm Court listing"))
        assert replayed["data"] == {"dealUpdated": {"type": "DEAL_CREATED", "deal": {"title": "Elm Court listing"}}}

        await create_deal(tenant, person["id"], title="Birch Lane listing")
        live = json.loads(await page.wait_for(f"{RESULT}.includes('Birch Lane listing') && {RESULT}"))
        assert live["data"] == {"dealUpdated": {"type": "DEAL_CREATED", "deal": {"title": "Birch Lane listing"}}}
        await save_screenshot(page)

    violations = [message for message in page.messages if "Content Security Policy" in message]
    assert violations == []


async def save_screenshot(page: Page) -> None:
    """Where GRAPHIQL_SCREENSHOT names a file, a PNG of the page as it is (for a person to look at)."""
    if target := os.environ.get("GRAPHIQL_SCREENSHOT"):
        shot = await page.command("Page.captureScreenshot", format="png")
        await asyncio.to_thread(Path(target).write_bytes, base64.b64decode(shot["data"]))
