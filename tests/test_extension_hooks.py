"""The schema's runner of extension hooks (`winnerr.schema.hooks`) does what Strawberry's does: the same hooks,
entered and left in the same order, told of the same exceptions, with the same answer, whichever hook fails or
swallows an exception where. Each case runs on a small schema twice, with Strawberry's runner and with ours."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from winnerr.schema.hooks import KnownHooksRunner

STAGES = ("operation", "parse", "validate", "execute")
Log = list[tuple[str, str, str]]


class Failure(Exception):
    pass


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self) -> str:
        return "hello"

    @strawberry.field
    def broken(self) -> str:
        raise Failure("resolver")


class KnownHooksSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return KnownHooksRunner(execution_context=execution_context, extensions=extensions)


def hook(name: str, stage: str, log: Log, case: dict[str, Any], *, asynchronous: bool) -> Callable[..., Any]:
    """A hook that logs what it sees, and fails or swallows an exception where the case says."""

    def enter() -> None:
        log.append((name, stage, "enter"))
        if case.get("fail") == (name, stage, "enter"):
            raise Failure(f"{name} entering {stage}")

    def told(error: BaseException) -> bool:
        log.append((name, stage, f"told {error!r} (context {error.__context__!r})"))
        return case.get("swallow") == (name, stage)

    def leave() -> None:
        log.append((name, stage, "leave"))
        if case.get("fail") == (name, stage, "leave"):
            raise Failure(f"{name} leaving {stage}")

    @contextmanager
    def logged() -> Iterator[None]:
        """What the hook does around its stage, sync or async alike: enter, then leave, or be told of the
        exception (and swallow it where the case says)."""
        enter()
        try:
            yield
        except Exception as error:
            if not told(error):
                raise
            return
        leave()

    def sync_hook(_: SchemaExtension) -> Iterator[None]:
        with logged():
            yield

    async def async_hook(_: SchemaExtension) -> AsyncIterator[None]:
        with logged():
            yield

    return async_hook if asynchronous else sync_hook


def extensions(log: Log, case: dict[str, Any]) -> list[type[SchemaExtension]]:
    """Four extensions hooked into every stage, sync and async alternately (the last one not into parsing)."""
    made = []
    for number, name in enumerate("ABCD"):
        hooks = {
            f"on_{stage}": hook(name, stage, log, case, asynchronous=bool(number % 2))
            for stage in STAGES
            if (name, stage) != ("D", "parse")
        }
        made.append(type(name, (SchemaExtension,), hooks))
    return made


async def outcome(schema_class: type[strawberry.Schema], case: dict[str, Any]) -> tuple[Any, ...]:
    log: Log = []
    schema = schema_class(query=Query, extensions=extensions(log, case))
    try:
        result = await schema.execute(case.get("query", "{ greeting }"))
    except Exception as error:  # what leaves `execute` is part of the outcome
        return log, repr(error), repr(error.__context__)
    errors = [(error.message, repr(error.original_error)) for error in result.errors or []]
    return log, result.data, errors, result.extensions


CASES: list[dict[str, Any]] = [
    {},
    {"query": "{ broken }"},
    {"query": "{ nothing }"},
    {"query": "{ greeting"},
    *(
        {"fail": (name, stage, when)}
        for name, stage, when in itertools.product("ABCD", STAGES, ("enter", "leave"))
        if (name, stage) != ("D", "parse")
    ),
    *(
        {"fail": (failing, stage, "leave"), "swallow": (swallowing, stage)}
        for failing, swallowing, stage in itertools.product("BD", "AB", ("operation", "execute"))
    ),
    {"fail": ("B", "execute", "enter"), "swallow": ("A", "operation")},
]


@pytest.mark.parametrize("case", CASES, ids=repr)
async def test_the_hooks_run_as_strawberry_runs_them(case: dict[str, Any]) -> None:
    assert await outcome(KnownHooksSchema, case) == await outcome(strawberry.Schema, case)
