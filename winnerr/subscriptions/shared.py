"""Loads shared by every subscriber of this process: one statement per event, not one per socket."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

DEFAULT_SIZE = 2048


class SharedLoads:
    """Single-flight, bounded memo: the first subscriber to ask for a key loads it, the others await that."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._futures: OrderedDict[Hashable, asyncio.Future[Any]] = OrderedDict()

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        future = self._futures.get(key)
        if future is None:
            future = asyncio.ensure_future(load())
            self._futures[key] = future
            future.add_done_callback(lambda done: self._forget_failure(key, done))
            while len(self._futures) > self._size:
                self._futures.popitem(last=False)
        if future.done():  # the common case once the first subscriber has loaded it: no waiting wrapper
            return future.result()
        return await asyncio.shield(future)

    def _forget_failure(self, key: Hashable, future: asyncio.Future[Any]) -> None:
        if (future.cancelled() or future.exception() is not None) and self._futures.get(key) is future:
            del self._futures[key]
