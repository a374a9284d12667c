"""Applying the Alembic migrations shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from winnerr.db.runtime_role import provision

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """`alembic upgrade head`; synchronous, so call it before an event loop runs (it runs its own)."""
    command.upgrade(alembic_config(database_url), revision)


def migrate(database_url: str, role: str | None) -> None:
    """What `winnerr migrate` does: the migrations, then the runtime role `role` (if any) created or brought
    back to what `winnerr.db.runtime_role` grants it, tables the migrations added included."""
    upgrade(database_url)
    if role is not None:
        provision(database_url, role)
