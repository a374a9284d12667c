"""The embedded PostgreSQL (`pgserver`) used when no `DATABASE_URL` is configured."""

from __future__ import annotations

import warnings
from pathlib import Path

from winnerr.settings import Settings

EMBEDDED_DATABASE = "winnerr"


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the PostgreSQL whose files live in `data_dir/postgres`; return its URL.

    pgserver keeps the data across restarts, and as root runs the server as a dedicated system user
    (PostgreSQL refuses to run as root). The server stops when the last process using it exits.
    """
    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset; /tmp is fine here
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver  # imported here: it is only needed when no DATABASE_URL is set

    pgdata = Path(data_dir).resolve() / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)  # pgserver refuses a data dir whose parent is missing
    server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    url: str = server.get_uri(EMBEDDED_DATABASE)
    return url


def database_url(settings: Settings) -> str:
    """`DATABASE_URL`, or the embedded PostgreSQL's URL when none is configured."""
    return settings.database_url or start_embedded_postgres(settings.winnerr_data_dir)
