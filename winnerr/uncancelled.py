"""Database work that must not stop half-way when the caller is cancelled.

A client that goes away cancels the task serving it. asyncpg left in the middle of a statement refuses every later
one on that connection ("another operation is in progress") and reports the cancel request it sent as an
exception nobody retrieves; so a statement that has begun is run to its end in a task of its own, and only the
wait for it is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_running: set[asyncio.Task[Any]] = set()


def _forget(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a caller that left has nobody to tell


async def to_the_end(work: Coroutine[Any, Any, T]) -> T:
    """Await `work`, which goes on to its end even if this await is cancelled."""
    task = asyncio.ensure_future(work)
    _running.add(task)
    task.add_done_callback(_forget)
    return await asyncio.shield(task)
