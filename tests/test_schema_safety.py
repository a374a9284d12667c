"""`schema.graphql` against the released schema: breaking changes only when CHANGELOG.md states them, and
deprecations with a reason (winnerr/schema_safety.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

from winnerr.schema_safety import check_repository, compare

ROOT = Path(__file__).parent.parent
RELEASED = (ROOT / "schema" / "released.graphql").read_text(encoding="utf-8")
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def broken(sdl: str) -> str:
    """The schema with `Person.fullName` removed, as a careless refactor would."""
    lines = [line for line in sdl.splitlines() if not line.strip().startswith("fullName:")]
    assert len(lines) < len(sdl.splitlines())
    return "\n".join(lines)


def test_the_committed_schema_breaks_nothing_the_changelog_does_not_state() -> None:
    report = check_repository(ROOT)
    if report.dangerous:
        warnings.warn("Changes that may alter clients' answers: " + "; ".join(report.dangerous), stacklevel=1)
    assert report.ok, report.explain()


def test_a_removed_field_fails_the_check_and_says_what_to_do() -> None:
    report = compare(RELEASED, broken(RELEASED), CHANGELOG)
    assert not report.ok
    assert "Field Person.fullName was removed." in report.breaking
    assert "- Field Person.fullName was removed." in report.explain()
    assert "CHANGELOG.md" in report.explain()


def test_a_breaking_change_the_changelog_states_passes() -> None:
    printed = compare(RELEASED, broken(RELEASED), CHANGELOG).breaking
    stated = "".join(f"- {change}\n" for change in printed)
    assert compare(RELEASED, broken(RELEASED), CHANGELOG.replace("### Breaking\n", "### Breaking\n" + stated, 1)).ok


def test_a_statement_in_an_older_release_does_not_count() -> None:
    changelog = CHANGELOG + "\n## 0.1.0\n\n- Field Person.fullName was removed.\n- Field User.fullName was removed.\n"
    assert not compare(RELEASED, broken(RELEASED), changelog).ok


def test_a_deprecation_needs_a_reason_of_its_own() -> None:
    sdl = RELEASED + (
        '\nextend type Query {\n  oldThing: Int @deprecated\n  oldOther: Int @deprecated(reason: "Use me.")\n}\n'
    )
    report = compare(RELEASED, sdl, CHANGELOG)
    assert report.vague_deprecations == ["Query.oldThing"]
    assert not report.ok


def test_an_added_enum_value_is_reported_as_dangerous_not_refused() -> None:
    sdl = RELEASED.replace("enum DealStatus {\n", "enum DealStatus {\n  PAUSED\n", 1)
    assert sdl != RELEASED
    report = compare(RELEASED, sdl, CHANGELOG)
    assert report.ok
    assert any("PAUSED" in change for change in report.dangerous)
