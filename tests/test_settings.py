"""Settings from the environment: a bad value stops start-up with one line naming it; the development secret."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest

from tests.cli import failed, succeeded, winnerr_async, without
from tests.factories import Tenant

SETTING_NAMES = (
    "DATABASE_URL",
    "DATABASE_ROLE",
    "DATABASE_POOL_MODE",
    "BROADCAST_URL",
    "WINNERR_ENV",
    "JWT_SECRET",
    "JWT_PREVIOUS_SECRETS",
    "AUTH_DEBUG",
    "PUBLIC_URL",
    "RATE_LIMIT_API",
    "RATE_LIMIT_AUTH",
    "RATE_LIMIT_WEBHOOKS",
)


def lines_naming(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if name in line]


def assert_one_clear_line_each(stderr: str, *names: str) -> None:
    for name in names:
        lines = lines_naming(stderr, name)
        assert len(lines) == 1, stderr
        assert len(lines[0].replace(name, "").strip(" :")) > 10, f"no explanation in {lines[0]!r}"
    naming_any = [line for line in stderr.splitlines() if any(name in line for name in SETTING_NAMES)]
    assert len(naming_any) == len(names), stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RATE_LIMIT_API", "bogus"),
        ("WINNERR_ENV", "staging"),
        ("DATABASE_URL", "mysql://x"),
        ("BROADCAST_URL", "ftp://x"),
        ("JWT_SECRET", "too-short"),
        ("DATABASE_ROLE", "app; DROP TABLE people"),
        ("DATABASE_POOL_MODE", "statement"),
    ],
)
async def test_a_bad_value_stops_start_up_naming_the_variable(cli_env: dict[str, str], name: str, value: str) -> None:
    stderr = failed(await winnerr_async({**cli_env, name: value}, "migrate"))
    assert_one_clear_line_each(stderr, name)


STRONG_SECRET = "9f2c41d07be85a3e6d10c4b7f98e2a5d3c6b0e1f47a28d95c3e7b164f0a2d8c5"
WEAK_SECRET = "change-me-" * 4
PRODUCTION = {"WINNERR_ENV": "production", "JWT_SECRET": STRONG_SECRET, "PUBLIC_URL": "https://crm.example.com"}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"JWT_SECRET": None}, ["JWT_SECRET"]),
        ({"JWT_SECRET": WEAK_SECRET}, ["JWT_SECRET"]),
        ({"JWT_SECRET": "test-secret-" + "x" * 40}, ["JWT_SECRET"]),
        ({"JWT_PREVIOUS_SECRETS": f"{STRONG_SECRET[::-1]},{WEAK_SECRET}"}, ["JWT_PREVIOUS_SECRETS"]),
        ({"AUTH_DEBUG": "on"}, ["AUTH_DEBUG"]),
        ({"PUBLIC_URL": None}, ["PUBLIC_URL"]),
        (
            {"JWT_SECRET": WEAK_SECRET, "AUTH_DEBUG": "true", "PUBLIC_URL": None},
            ["JWT_SECRET", "AUTH_DEBUG", "PUBLIC_URL"],
        ),
    ],
    ids=["no secret", "weak secret", "test secret", "weak previous secret", "debug on", "no public url", "all three"],
)
async def test_production_refuses_to_start_unsafe(
    cli_env: dict[str, str], change: dict[str, str | None], named: list[str]
) -> None:
    env = {**cli_env, **PRODUCTION, **change}
    stderr = failed(await winnerr_async({name: value for name, value in env.items() if value is not None}, "migrate"))
    assert_one_clear_line_each(stderr, *named)


async def test_production_starts_with_a_strong_secret_and_its_previous_one(cli_env: dict[str, str]) -> None:
    env = {**cli_env, **PRODUCTION, "JWT_PREVIOUS_SECRETS": STRONG_SECRET[::-1], "AUTH_DEBUG": "off"}
    assert "up to date" in succeeded(await winnerr_async(env, "migrate"))


async def test_transaction_pooling_needs_a_broadcast_url_past_the_pooler(cli_env: dict[str, str]) -> None:
    env = {**without(cli_env, "BROADCAST_URL"), "DATABASE_POOL_MODE": "transaction"}
    stderr = failed(await winnerr_async(env, "migrate"))
    assert_one_clear_line_each(stderr, "BROADCAST_URL")


async def test_two_bad_values_give_two_lines(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "RATE_LIMIT_API": "bogus", "BROADCAST_URL": "ftp://x"}
    stderr = failed(await winnerr_async(env, "token", "--email", "owner@demo.example.com"))
    assert_one_clear_line_each(stderr, "RATE_LIMIT_API", "BROADCAST_URL")


async def test_good_values_are_accepted(cli_env: dict[str, str]) -> None:
    env = {
        **cli_env,
        **PRODUCTION,
        "RATE_LIMIT_API": "20/second",
        "RATE_LIMIT_AUTH": "3/10 minutes",
        "BROADCAST_URL": "memory://",
        "WINNERR_LOG_LEVEL": "warning",
    }
    assert "up to date" in succeeded(await winnerr_async(env, "migrate"))


async def test_development_generates_the_jwt_secret_once_and_reuses_it(
    cli_env: dict[str, str], tenant: Tenant, tmp_path: Path
) -> None:
    env = {**without(cli_env, "JWT_SECRET"), "WINNERR_DATA_DIR": str(tmp_path / "data")}
    owner = tenant.emails[tenant.role]
    first = succeeded(await winnerr_async(env, "token", "--email", owner))
    secret_file = tmp_path / "data" / "jwt_secret"
    secret = secret_file.read_text().strip()
    assert len(secret) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

    second = succeeded(await winnerr_async(env, "token", "--email", owner))
    assert secret_file.read_text().strip() == secret
    assert first != second
    for token in (first, second):
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience="winnerr-api", issuer="winnerr")
        assert claims["sub"] == str(tenant.user_ids[tenant.role])
        assert claims["org"] == str(tenant.organization_id)
