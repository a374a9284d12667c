"""A cache of the newest entries: compiled statements and plans, kept by what decides them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

CACHE_SIZE = 1024

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The newest `size` entries, the least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()

    def find(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def get(self, key: K, make: Callable[[], V]) -> V:
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        value = self.entries[key] = make()
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value
