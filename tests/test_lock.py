"""The lock files pin the whole dependency tree that pyproject.toml's ranges ask for.

`requirements/serve.lock` (used by ./scripts/serve) and `requirements/test.lock` (./scripts/test, so CI) are made by
./scripts/lock. Every requirement of pyproject.toml, and every requirement of those, down to the leaves (extras
and environment markers followed as pip follows them), must be pinned, with a hash, at a version in its range; the
two locks agree on what they share; and whatever the package imports is in the serve lock (a dependency the app
imports but only the tests declare would pass CI and break ./scripts/serve). When this fails after a dependency
changed: run ./scripts/lock and commit.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)
HASHED_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[^\s\\]+ \\\n\s+--hash=sha256:[0-9a-f]{64}", re.MULTILINE)
RUN_LOCK = "run ./scripts/lock and commit requirements/"


def pins(lock: str) -> dict[NormalizedName, Version]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def direct(extra: str | None) -> list[Requirement]:
    requirements = [Requirement(line) for line in PROJECT["dependencies"]]
    if extra:
        requirements += [Requirement(line) for line in PROJECT["optional-dependencies"][extra]]
    return requirements


def closure(requirements: list[Requirement]) -> dict[NormalizedName, list[Requirement]]:
    """Every distribution these requirements reach, with the requirements that reach it, read from the installed
    metadata (./scripts/test installed it from the lock): a distribution's plain requirements, plus those of
    each extra asked of it."""
    reached: dict[NormalizedName, list[Requirement]] = {}
    expanded: set[tuple[NormalizedName, str]] = set()
    pending = [(requirement, "") for requirement in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        reached.setdefault(name, []).append(requirement)
        wanted = {"", *requirement.extras} - {wanted for known, wanted in expanded if known == name}
        if not wanted:
            continue
        expanded.update((name, extra_wanted) for extra_wanted in wanted)
        try:
            declared = [Requirement(line) for line in distribution(name).requires or []]
        except PackageNotFoundError:
            continue  # not installed: the pin check names it
        pending += [(dependency, extra_wanted) for extra_wanted in wanted for dependency in declared]
    return reached


@pytest.mark.parametrize(("lock", "extra"), [("serve.lock", None), ("test.lock", "test")])
def test_the_lock_pins_every_dependency_within_its_range(lock: str, extra: str | None) -> None:
    pinned = pins(lock)
    problems = []
    for name, requirements in sorted(closure(direct(extra)).items()):
        if name not in pinned:
            problems.append(f"{name} ({', '.join(map(str, requirements))}) is not pinned")
            continue
        problems += [
            f"{name}=={pinned[name]} is outside {requirement}"
            for requirement in requirements
            if not requirement.specifier.contains(pinned[name], prereleases=True)
        ]
    assert not problems, f"requirements/{lock} disagrees with pyproject.toml: {RUN_LOCK}\n" + "\n".join(problems)


@pytest.mark.parametrize("lock", ["serve.lock", "test.lock"])
def test_every_pin_has_a_hash(lock: str) -> None:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    assert len(HASHED_PIN.findall(text)) == len(PIN.findall(text)), RUN_LOCK


def test_the_locks_agree_on_what_they_share() -> None:
    serve, test = pins("serve.lock"), pins("test.lock")
    assert {name: version for name, version in serve.items() if test.get(name) != version} == {}, RUN_LOCK


def imported_distributions() -> dict[NormalizedName, set[str]]:
    """The distributions the package's own modules import at their top level (the standard library and the
    package itself aside), with the modules that import each: what ./scripts/serve's install must hold."""
    providers = packages_distributions()
    imported: dict[NormalizedName, set[str]] = {}
    for path in (ROOT / "winnerr").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for top in {name.split(".")[0] for name in names} - set(sys.stdlib_module_names) - {"winnerr"}:
                for provider in providers.get(top, [top]):
                    imported.setdefault(canonicalize_name(provider), set()).add(str(path.relative_to(ROOT)))
    return imported


def test_the_serve_lock_holds_everything_the_package_imports() -> None:
    served = pins("serve.lock")
    missing = {name: sorted(paths) for name, paths in imported_distributions().items() if name not in served}
    assert missing == {}, f"imported by the package but not in requirements/serve.lock: declare them in " \
        f"pyproject.toml's dependencies (not an extra), then {RUN_LOCK}"
