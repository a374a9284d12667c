"""The README's configuration table (issue 15, point 8) is the one generated from the settings class, and every
setting says what it means."""

from __future__ import annotations

import re

from winnerr.settings import Settings
from winnerr.settings_table import README, markdown, with_table


def test_the_readme_table_is_generated_from_the_settings() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "stale: run `.venv/bin/python -m winnerr.settings_table --write`"
    assert markdown() in text


def test_every_setting_has_a_row_with_a_meaning() -> None:
    table = markdown()
    for name, field in Settings.model_fields.items():
        description = " ".join((field.description or "").split())
        words = set(re.findall(r"[a-z]+", description.lower())) - set(name.split("_"))
        assert len(words) >= 3, f"{name.upper()} needs a docstring that says what it means"
        assert f"| `{name.upper()}` |" in table
