"""The schema extensions' hooks, found once per list of extension classes and driven without `contextlib`.

For every operation Strawberry builds a context manager per stage (operation, parsing, validation, execution):
each asks every extension whether it has that stage's hook, wraps each hook's generator in a `contextlib`
context manager and enters them on an `AsyncExitStack`; the extensions' results are then asked of every
extension, though only one has any. Some forty objects and as many frames per operation before any hook does
its work. Here which extension hooks into which stage, and which has results of its own, is decided once per
list of extension classes (a `_Plan`), and each stage drives the hooks' generators itself, step for step as
Strawberry's context manager with its `AsyncExitStack` and `contextlib`'s wrappers does:

- the hooks are entered in the extensions' order; one that fails to enter stops the stage there, and the hooks
  entered before it are left as they are (Strawberry's stage is not left when it fails to enter);
- they are left in reverse order, each told of the exception leaving the stage (thrown into it). A hook that
  suppresses it spares the hooks left after it, though the exception still leaves the stage (Strawberry's
  stage does not return the stack's verdict); one that raises an exception of its own passes that one on,
  chained as nested `with` statements chain them.

A stage with a hook that is not a generator function (Strawberry wraps those in a generator of its own) is left
to Strawberry's context manager, as are synchronous execution and the stream results' hooks.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, TypeAlias

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

SyncHook: TypeAlias = Generator[None, None, None]
AsyncHook: TypeAlias = AsyncGenerator[None, None]
Hook: TypeAlias = tuple[int, Callable[[SchemaExtension], Any], bool]
"""A stage's hook: its extension's index in the operation's list, its class's hook function, whether async."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """Each stage's hooks (None: the stage is left to Strawberry), and the extensions with results of their own."""

    operation: tuple[Hook, ...] | None
    parsing: tuple[Hook, ...] | None
    validation: tuple[Hook, ...] | None
    executing: tuple[Hook, ...] | None
    results: tuple[int, ...]
    resolves: bool
    """Whether an extension resolves fields (is one of the executor's middleware)."""


_PLANS: dict[tuple[type[SchemaExtension], ...], _Plan] = {}
"""By the operation's extension classes: an entry per schema's list of extensions."""


def _plan_of(kinds: tuple[type[SchemaExtension], ...]) -> _Plan:
    plan = _PLANS.get(kinds)
    if plan is None:
        default_results = SchemaExtension.get_results
        plan = _PLANS[kinds] = _Plan(
            operation=_stage_hooks(kinds, OperationContextManager.HOOK_NAME),
            parsing=_stage_hooks(kinds, ParsingContextManager.HOOK_NAME),
            validation=_stage_hooks(kinds, ValidationContextManager.HOOK_NAME),
            executing=_stage_hooks(kinds, ExecutingContextManager.HOOK_NAME),
            results=tuple(i for i, kind in enumerate(kinds) if kind.get_results is not default_results),
            resolves=any(kind._implements_resolve() for kind in kinds),
        )
    return plan


def resolves_fields(extensions: list[SchemaExtension]) -> bool:
    """Whether one of the extensions resolves fields, as Strawberry asks each of them for every operation."""
    return _plan_of(tuple(map(type, extensions))).resolves


def _stage_hooks(kinds: tuple[type[SchemaExtension], ...], name: str) -> tuple[Hook, ...] | None:
    """The classes' hooks for one stage, found as Strawberry finds them: a hook of the class's own, not the
    default."""
    default = getattr(SchemaExtension, name)
    hooks: list[Hook] = []
    for index, kind in enumerate(kinds):
        hook = getattr(kind, name)
        if hook is default:
            continue
        if inspect.isgeneratorfunction(hook):
            hooks.append((index, hook, False))
        elif inspect.isasyncgenfunction(hook):
            hooks.append((index, hook, True))
        else:
            return None
    return tuple(hooks)


class _Stage(ExtensionContextManagerBase):
    """One stage's hooks for one operation (see the module)."""

    __slots__ = ("entered", "extensions", "stage_hooks", "strawberry")

    STRAWBERRY: ClassVar[type[ExtensionContextManagerBase]]
    """Strawberry's context manager for the stage, which runs it synchronously."""

    def __init__(self, extensions: list[SchemaExtension], hooks: tuple[Hook, ...]) -> None:  # the hooks are known
        self.extensions = extensions
        self.stage_hooks = hooks
        self.entered: list[tuple[SyncHook | AsyncHook, bool]] = []

    def __enter__(self) -> None:
        self.strawberry = self.STRAWBERRY(self.extensions)
        self.strawberry.__enter__()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        self.strawberry.__exit__(exc_type, exc_val, exc_tb)

    async def __aenter__(self) -> None:
        extensions, entered = self.extensions, self.entered
        for index, hook, is_async in self.stage_hooks:
            generator = hook(extensions[index])
            try:
                if is_async:
                    await anext(generator)
                else:
                    next(generator)
            except (StopIteration, StopAsyncIteration) as stopped:
                if isinstance(stopped, StopIteration) is is_async:
                    raise  # not the end of the generator, just an exception it raised
                raise RuntimeError("generator didn't yield") from None
            entered.append((generator, is_async))

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        """`AsyncExitStack.__aexit__`'s steps, without its verdict (see the module)."""
        error, frame_error = exc_val, sys.exc_info()[1]
        pending = False
        for generator, is_async in reversed(self.entered):
            try:
                if is_async:
                    suppressed = await _aleave(generator, error)  # type: ignore[arg-type]
                else:
                    suppressed = _leave(generator, error)  # type: ignore[arg-type]
            except BaseException as raised:
                _fix_context(raised, error, frame_error)
                pending, error = True, raised
            else:
                if suppressed:
                    pending, error = False, None
        self.entered.clear()
        if pending:
            assert error is not None
            _raise(error)


def _leave(generator: SyncHook, error: BaseException | None) -> bool:
    """`contextlib.contextmanager`'s exit: whether the hook suppressed `error`; raises what it raised instead."""
    if error is None:
        try:
            next(generator)
        except StopIteration:
            return False
        try:
            raise RuntimeError("generator didn't stop")
        finally:
            generator.close()
    traceback = error.__traceback__
    try:
        generator.throw(error)
    except StopIteration as stopped:
        return stopped is not error
    except BaseException as raised:
        if not _passed_on(raised, error, StopIteration):
            raise
        error.__traceback__ = traceback
        return False
    try:
        raise RuntimeError("generator didn't stop after throw()")
    finally:
        generator.close()


async def _aleave(generator: AsyncHook, error: BaseException | None) -> bool:
    """`contextlib.asynccontextmanager`'s exit, as `_leave`."""
    if error is None:
        try:
            await anext(generator)
        except StopAsyncIteration:
            return False
        try:
            raise RuntimeError("generator didn't stop")
        finally:
            await generator.aclose()
    traceback = error.__traceback__
    try:
        await generator.athrow(error)
    except StopAsyncIteration as stopped:
        return stopped is not error
    except BaseException as raised:
        if not _passed_on(raised, error, (StopIteration, StopAsyncIteration)):
            raise
        error.__traceback__ = traceback
        return False
    try:
        raise RuntimeError("generator didn't stop after athrow()")
    finally:
        await generator.aclose()


def _passed_on(
    raised: BaseException, error: BaseException, stops: type[BaseException] | tuple[type[BaseException], ...]
) -> bool:
    """Whether what a hook raised is the exception thrown into it, or the RuntimeError a generator turns a thrown
    `stops` into (PEP 479): it goes on leaving the stage, as the exception it is."""
    wrapped = isinstance(raised, RuntimeError) and isinstance(error, stops)
    return raised is error or (wrapped and raised.__cause__ is error)


def _fix_context(new: BaseException, old: BaseException | None, frame_error: BaseException | None) -> None:
    """`ExitStack`'s: `new`'s chain of contexts ends at `old`, as though the hooks were nested `with`s."""
    while True:
        context = new.__context__
        if context is None or context is old:
            return
        if context is frame_error:
            break
        new = context
    new.__context__ = old


def _raise(error: BaseException) -> None:
    """Raise `error` with the context `_fix_context` gave it (a bare raise would replace it)."""
    context = error.__context__
    try:
        raise error
    except BaseException:
        error.__context__ = context
        raise


class _Operation(_Stage, OperationContextManager):
    STRAWBERRY = OperationContextManager


class _Parsing(_Stage, ParsingContextManager):
    STRAWBERRY = ParsingContextManager


class _Validation(_Stage, ValidationContextManager):
    STRAWBERRY = ValidationContextManager


class _Executing(_Stage, ExecutingContextManager):
    STRAWBERRY = ExecutingContextManager


class KnownHooksRunner(SchemaExtensionsRunner):
    """Strawberry's runner of the extensions, with each stage's hooks known per list of classes."""

    def __init__(self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None) -> None:
        super().__init__(execution_context, extensions)
        self.plan = _plan_of(tuple(map(type, self.extensions)))

    def operation(self) -> OperationContextManager:
        hooks = self.plan.operation
        return OperationContextManager(self.extensions) if hooks is None else _Operation(self.extensions, hooks)

    def validation(self) -> ValidationContextManager:
        hooks = self.plan.validation
        return ValidationContextManager(self.extensions) if hooks is None else _Validation(self.extensions, hooks)

    def parsing(self) -> ParsingContextManager:
        hooks = self.plan.parsing
        return ParsingContextManager(self.extensions) if hooks is None else _Parsing(self.extensions, hooks)

    def executing(self) -> ExecutingContextManager:
        hooks = self.plan.executing
        return ExecutingContextManager(self.extensions) if hooks is None else _Executing(self.extensions, hooks)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        """Strawberry's, asking only the extensions with results of their own (the others' are empty)."""
        data: dict[str, Any] = {}
        for index in self.plan.results:
            data.update(await await_maybe(self.extensions[index].get_results()))
        data.update(ctx.extensions_results)
        return data
