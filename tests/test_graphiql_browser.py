"""GraphiQL in a real headless Chromium: the page loads offline under its CSP, logs in with its form, runs a query."""

from __future__ import annotations

import json

from tests.browser import Page, browser_page
from tests.factories import PASSWORD, Tenant

QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESULT = "document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"


async def run_in_graphiql(page: Page, query: str, expect: str) -> str:
    """Type `query` into GraphiQL, press its run button, and return the result pane once it shows `expect`."""
    await page.evaluate(f"{QUERY_EDITOR}.setValue({json.dumps(query)})")
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    result: str = await page.wait_for(f"{RESULT}.includes({json.dumps(expect)}) && {RESULT}")
    return result


async def test_log_in_on_the_page_then_query(host: str, tenant: Tenant) -> None:
    email = tenant.emails[tenant.role]
    async with browser_page() as page:
        await page.command("Page.navigate", url=f"http://{host}/graphql")
        await page.wait_for("!!document.querySelector('.graphiql-query-editor .CodeMirror')")

        before = await run_in_graphiql(page, "{ me { role } }", "Log in")
        assert "Unauthorized" not in before

        await page.evaluate(
            f"document.getElementById('login-email').value = {json.dumps(email)};"
            f"document.getElementById('login-password').value = {json.dumps(PASSWORD)};"
            "document.getElementById('login').requestSubmit()"
        )
        status = await page.wait_for("document.getElementById('login-status').textContent")
        assert status == f"Logged in as {email}"
        assert await page.evaluate("sessionStorage.getItem('winnerr.graphiql.accessToken') !== null")

        await page.wait_for("!!document.querySelector('.graphiql-query-editor .CodeMirror')")
        answer = json.loads(await run_in_graphiql(page, "{ me { role } }", "OWNER"))
        assert answer["data"] == {"me": {"role": "OWNER"}}
        assert answer["extensions"]["cost"]["requested"] == 1

    violations = [message for message in page.messages if "Content Security Policy" in message]
    assert violations == []
