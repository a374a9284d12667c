"""GraphiQL in a real headless Chromium: the page loads offline under its CSP (its assets installed by `npm ci`),
logs in with its form, runs a query, and runs a subscription over the websocket."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path

from tests.browser import Page, browser_page
from tests.cli import succeeded, winnerr_async
from tests.factories import PASSWORD, Tenant
from tests.graphql_documents import CREATE_PERSON, create_deal
from tests.test_readme import GRAPHQL

DEMO_SCREENSHOT = Path(__file__).parent.parent / "build" / "graphiql-demo-query.png"
"""Where the demo query's screenshot goes (build/ is ignored by git)."""
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


async def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill in and submit the page's login form, then wait for GraphiQL to mount again with the token."""
    await page.evaluate(
        f"document.getElementById('login-email').value = {json.dumps(email)};"
        f"document.getElementById('login-password').value = {json.dumps(password)};"
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


async def test_a_readme_query_answers_the_demo_and_is_photographed(
    host: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The README's query of the demo's calls, typed into GraphiQL as the demo owner who logged in on the page;
    a PNG of the answer is saved to `DEMO_SCREENSHOT` (or GRAPHIQL_SCREENSHOT) for a person to look at."""
    succeeded(await winnerr_async(cli_env, "seed-demo"))
    [query] = [document for document in GRAPHQL if "communications(channel: CALL" in document]
    async with browser_page() as page:
        viewport = {"width": 1600, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
        await page.command("Emulation.setDeviceMetricsOverride", **viewport)
        await open_graphiql(page, host)
        await log_in(page, "owner@demo.example.com", "winnerr-demo")
        answer = json.loads(await run_in_graphiql(page, query, "durationSeconds"))
        calls = answer["data"]["communications"]["items"]
        assert len(calls) == 5
        assert all(call["durationSeconds"] > 0 and call["person"]["fullName"] for call in calls)
        target = Path(os.environ.get("GRAPHIQL_SCREENSHOT") or DEMO_SCREENSHOT)
        await save_screenshot(page, target)
    picture = await asyncio.to_thread(target.read_bytes)
    assert picture.startswith(b"\x89PNG")
    assert len(picture) > 20_000  # a rendered page, not a blank one


async def save_screenshot(page: Page, target: Path | None = None) -> None:
    """A PNG of the page as it is (for a person to look at), to `target` or where GRAPHIQL_SCREENSHOT names."""
    target = target or (Path(os.environ["GRAPHIQL_SCREENSHOT"]) if os.environ.get("GRAPHIQL_SCREENSHOT") else None)
    if target is not None:
        shot = await page.command("Page.captureScreenshot", format="png")
        target.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(target.write_bytes, base64.b64decode(shot["data"]))
