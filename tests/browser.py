"""A headless Chromium driven over the DevTools protocol (CDP) with `websockets`: enough to load a page, run
JavaScript in it and collect what its console and CSP reported."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

DEVTOOLS_LINE = re.compile(r"DevTools listening on (ws://\S+)")
WAIT_SECONDS = 60.0  # a safety net against a hung browser, never a speed requirement


def chromium() -> str:
    """The Chromium executable; installed with apt when missing (the test machines run as root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, capture_output=True)
        found = shutil.which("chromium")
    assert found is not None, "Chromium is needed: apt-get install -y chromium"
    return found


class Page:
    """One browser tab: `evaluate` runs an expression (awaiting a promise), `messages` collects the console."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.messages: list[str] = []
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def command(self, method: str, **params: Any) -> dict[str, Any]:
        command_id = next(self._ids)
        answer = self._answers[command_id] = asyncio.get_running_loop().create_future()
        await self.connection.send(json.dumps({"id": command_id, "method": method, "params": params}))
        result = await asyncio.wait_for(answer, WAIT_SECONDS)
        assert "error" not in result, result
        value: dict[str, Any] = result["result"]
        return value

    async def evaluate(self, expression: str) -> Any:
        result = await self.command("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    async def wait_for(self, expression: str) -> Any:
        """The first truthy value of `expression`, evaluated until it has one."""
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                if value := await self.evaluate(expression):
                    return value
                await asyncio.sleep(0.1)

    async def _read(self) -> None:
        async for raw in self.connection:
            message = json.loads(raw)
            if "id" in message:
                self._answers.pop(message["id"]).set_result(message)
            elif message.get("method") == "Runtime.consoleAPICalled":
                self.messages.append(" ".join(str(arg.get("value", "")) for arg in message["params"]["args"]))
            elif message.get("method") == "Log.entryAdded":
                self.messages.append(message["params"]["entry"]["text"])


@asynccontextmanager
async def browser_page() -> AsyncIterator[Page]:
    """A blank tab of a fresh headless Chromium (its own profile, no network beyond what pages load)."""
    with tempfile.TemporaryDirectory(prefix="winnerr-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            chromium(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            browser_url = await _devtools_url(process)
            async with websockets.connect(await _page_url(browser_url), max_size=None) as connection:
                page = Page(connection)
                await page.command("Runtime.enable")
                await page.command("Log.enable")
                await page.command("Page.enable")
                yield page
                page._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await page._reader
        finally:
            process.kill()
            await process.wait()


async def _devtools_url(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    async with asyncio.timeout(WAIT_SECONDS):
        while line := (await process.stderr.readline()).decode():
            if match := DEVTOOLS_LINE.search(line):
                return match[1]
    raise AssertionError("Chromium did not start its DevTools server")


async def _page_url(browser_url: str) -> str:
    """The websocket of the browser's first tab, from the DevTools HTTP endpoint."""
    http_base = "http://" + browser_url.removeprefix("ws://").split("/")[0]
    async with httpx.AsyncClient() as client:
        targets = (await client.get(f"{http_base}/json/list")).json()
    page_url: str = next(target["webSocketDebuggerUrl"] for target in targets if target["type"] == "page")
    return page_url
