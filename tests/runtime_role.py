"""A runtime role of this run's own, for tests that change the role itself (the app's default one,
`winnerr_app`, is shared by every run on the server, since roles belong to the whole server).

`runtime_role` is made by `winnerr migrate` with `DATABASE_ROLE` and dropped at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.cli import winnerr
from tests.database import admin


@pytest.fixture(scope="session")
def runtime_role(cli_env: dict[str, str], database_url: str) -> Iterator[str]:
    role = f"winnerr_app_{uuid.uuid4().hex[:8]}"
    migrated = winnerr({**cli_env, "DATABASE_ROLE": role}, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    yield role
    admin(database_url, f"DROP OWNED BY {role}", f"DROP ROLE {role}")
