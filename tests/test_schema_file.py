"""The committed `schema.graphql` is exactly what `winnerr export-schema` prints."""

from __future__ import annotations

from pathlib import Path

from tests.cli import succeeded, winnerr

SCHEMA_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_committed_schema_matches_the_served_one(cli_env: dict[str, str]) -> None:
    exported = succeeded(winnerr(cli_env, "export-schema"))
    assert "type Query" in exported
    assert exported == SCHEMA_FILE.read_text().strip(), (
        "schema.graphql is stale: run `winnerr export-schema > schema.graphql` and commit it"
    )
