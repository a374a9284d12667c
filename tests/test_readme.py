"""The README's examples, run as a new user would on a fresh `seed-demo`: its ```graphql blocks over HTTP and
websockets as the demo owner, its ```sh blocks in bash (all but the `./scripts/` set-up ones), and its links."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.cli import WINNERR, graphql, log_in, succeeded, winnerr_async
from tests.live import GraphQLSocket

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SERVE_ADDRESS = "http://127.0.0.1:8000"  # serve's default, which the examples assume
OWNER, DEMO_PASSWORD = "owner@demo.example.com", "winnerr-demo"
MARKER = "=== end of example ==="


def blocks(language: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(README) if kind == language]


GRAPHQL = blocks("graphql")
OPERATIONS = [document for document in GRAPHQL if not document.lstrip().startswith("subscription")]
SUBSCRIPTIONS = [document for document in GRAPHQL if document.lstrip().startswith("subscription")]
SHELL = [script for script in blocks("sh") if not script.startswith("./scripts/")]


@pytest.fixture(scope="module")
async def demo(cli_env: dict[str, str]) -> None:
    succeeded(await winnerr_async(cli_env, "seed-demo"))


@pytest.fixture
async def owner_token(demo: None, client: httpx.AsyncClient) -> str:
    return await log_in(client, OWNER, DEMO_PASSWORD)


def test_the_readme_has_examples_of_each_kind() -> None:
    assert len(OPERATIONS) >= 2
    assert len(SUBSCRIPTIONS) >= 1
    assert len(SHELL) >= 3


@pytest.mark.parametrize("document", OPERATIONS)
async def test_graphql_examples_answer_without_errors(
    client: httpx.AsyncClient, owner_token: str, document: str
) -> None:
    data = await graphql(client, owner_token, document)
    assert data
    assert all(data.values()), data


@pytest.mark.parametrize("document", SUBSCRIPTIONS)
async def test_subscription_examples_replay_the_demo_then_go_live(
    host: str, client: httpx.AsyncClient, owner_token: str, document: str
) -> None:
    """As the README says: `after: 0` replays the 40 demo deals' creation, then a deal changed in another tab
    arrives live."""
    deals = await graphql(client, owner_token, "{ deals(limit: 100) { items { id } pagination { total } } }")
    total = deals["deals"]["pagination"]["total"]
    async with GraphQLSocket.open(host, owner_token) as socket:
        operation = await socket.subscribe(document)
        replayed = [next(iter((await socket.next_data(operation)).values())) for _ in range(total)]
        deal_id = deals["deals"]["items"][0]["id"]
        title = "Renamed while subscribed"
        rename = f'mutation {{ updateDeal(id: "{deal_id}", input: {{ title: "{title}" }}) {{ id }} }}'
        await graphql(client, owner_token, rename)
        [live] = (await socket.next_data(operation)).values()
    assert [event["type"] for event in replayed] == ["DEAL_CREATED"] * total
    assert [event["sequence"] for event in replayed] == sorted(event["sequence"] for event in replayed)
    assert all(event["deal"]["title"] for event in replayed)
    assert live["type"] == "DEAL_UPDATED"
    assert live["deal"]["title"] == title
    assert live["sequence"] > replayed[-1]["sequence"]


def run_shell_examples(env: dict[str, str], host: str, directory: Path) -> list[str]:
    """The shell examples in one bash session (as typed one after the other), from a directory laid out like
    the repository (`.venv/bin/winnerr`), against the test server instead of port 8000; each one's output."""
    bin_dir = directory / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "winnerr").symlink_to(WINNERR)
    script = "".join(f"{example}echo\necho '{MARKER}'\n" for example in SHELL)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(SERVE_ADDRESS, f"http://{host}")],
        env=env,
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs = result.stdout.split(MARKER)
    assert outputs[-1].strip() == ""
    return [output.strip() for output in outputs[:-1]]


async def test_shell_examples_run_as_written(demo: None, cli_env: dict[str, str], host: str, tmp_path: Path) -> None:
    outputs = await asyncio.to_thread(run_shell_examples, cli_env, host, tmp_path)
    assert len(outputs) == len(SHELL)
    for example, output in zip(SHELL, outputs, strict=True):
        assert output, example
        assert '"errors"' not in output, output
        assert '"error"' not in output, output
    assert any('"access_token"' in output for output in outputs)
    assert any(output.startswith("id,first_name") for output in outputs)


def test_the_readme_calls_the_command_where_the_set_up_put_it() -> None:
    """The quick start makes `.venv/`, not a `winnerr` on the PATH: every command says `.venv/bin/winnerr`."""
    bare = re.findall(r"(?<![/\w-])winnerr (?:serve|migrate|create-org|seed-demo|token|export-schema)\b", README)
    assert bare == []
    assert ".venv/bin/winnerr token" in "".join(SHELL)


def test_every_link_of_the_readme_is_in_the_repository() -> None:
    links = re.findall(r"\]\((?!https?://)([^)#]+)(?:#[^)]*)?\)", README)
    assert "docs/api.md" in links
    assert "docs/operations.md" in links
    assert all((ROOT / link).is_file() for link in links), links
    assert "../" not in README
