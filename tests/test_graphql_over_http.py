"""GraphQL over HTTP as its spec says (https://graphql.github.io/graphql-over-http/): media types chosen by the
Accept header, status codes by whether the response has `data`, and the contract's JSON error shape for every
request that is not well-formed."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from tests.factories import Tenant
from tests.live import served
from winnerr.settings import Settings

AUDIT_DIR = Path(__file__).parent / "http_audit"
AUDIT_COUNT = 61


async def _run(*command: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a command without blocking the event loop (the server under test runs in it)."""
    process = await asyncio.create_subprocess_exec(
        *command, cwd=AUDIT_DIR, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def _installed_audit() -> None:
    """`npm ci` once: node_modules is kept between runs (and ignored by git)."""
    if (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        return
    code, output = await _run("npm", "ci", "--no-audit", "--no-fund")
    assert code == 0, output


async def test_the_graphql_http_audit_passes_without_warnings(settings: Settings, tenant: Tenant) -> None:
    await _installed_audit()
    node = shutil.which("node")
    assert node is not None, "Node.js runs the GraphQL over HTTP audit suite"
    async with served(settings) as host:
        env = {"PATH": str(Path(node).parent), "GRAPHQL_TOKEN": tenant.token()}
        code, output = await _run(node, "audit.mjs", f"http://{host}/graphql", env=env)
    report: dict[str, Any] = json.loads(output)
    failed = [result for result in report["results"] if result["status"] != "ok"]
    assert failed == []
    assert (report["total"], report["ok"], report["warn"], report["notice"], report["error"]) == (
        AUDIT_COUNT, AUDIT_COUNT, 0, 0, 0,
    )
    assert code == 0
