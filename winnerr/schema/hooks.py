"""The schema extensions' hooks, looked up once per extension class instead of once per operation.

For every operation Strawberry builds a context manager per stage (operation, parsing, validation, execution),
and each asks every extension whether it has that stage's hook: an attribute lookup, two `inspect` checks and a
new `contextlib` decorator (with its `functools.wraps`) per extension and stage, 44 of them for our eleven
extensions, whether or not the extension hooks in. What a class's hook is never changes, so here it is
decided once per class and stage: each operation only binds the decorated hook to its own extension object.
The context managers, and so the order, nesting and error handling of the hooks, are Strawberry's own.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

_NOT_DECORATED = object()
"""A hook that is neither a generator nor an async generator: Strawberry wraps it anew, as it always does."""


class _KnownHooks(ExtensionContextManagerBase):
    """A stage's context manager whose hooks are decorated once per extension class (see the module)."""

    known: ClassVar[dict[type[SchemaExtension], tuple[Any, bool] | None]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.known = {}

    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        kind = type(extension)
        if kind not in self.known:
            self.known[kind] = self._decorated(kind)
        found = self.known[kind]
        if found is None:
            return None
        decorated, is_async = found
        if decorated is _NOT_DECORATED:
            return super().get_hook(extension)
        return WrappedHook(extension=extension, hook=functools.partial(decorated, extension), is_async=is_async)

    def _decorated(self, kind: type[SchemaExtension]) -> tuple[Any, bool] | None:
        """The class's hook for this stage as a context manager factory taking the extension, and whether it is
        async; None when the class has no hook of its own for it."""
        hook: Callable[..., Any] = getattr(kind, self.HOOK_NAME)
        if hook is self.default_hook:
            return None
        if inspect.isgeneratorfunction(hook):
            return contextlib.contextmanager(hook), False
        if inspect.isasyncgenfunction(hook):
            return contextlib.asynccontextmanager(hook), True
        return _NOT_DECORATED, False


class _Operation(_KnownHooks, OperationContextManager):
    pass


class _Parsing(_KnownHooks, ParsingContextManager):
    pass


class _Validation(_KnownHooks, ValidationContextManager):
    pass


class _Executing(_KnownHooks, ExecutingContextManager):
    pass


class KnownHooksRunner(SchemaExtensionsRunner):
    """Strawberry's runner of the extensions, with each stage's hooks known per class."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
