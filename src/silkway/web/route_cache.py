"""A bounded cache of route answers: repeated queries (the web UI asks the same few pairs again and again) are answered
without planning. Keyed by the dataset's name and version and the full request (every field, defaults included); the
least recently used answer is dropped first. Thread-safe; per app (never module-global)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class RouteCache:
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple[str, ...], value: bytes) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
