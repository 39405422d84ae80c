"""Reusable parts of a :class:`~silkway.routing.stategraph.StateGraph`: the searches' workspace and per-arc rows
computed on demand, and the grouping of rows by key its build uses."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np


class Scratch:
    """A graph's search workspace, reused by every query (the kernels reset the entries they touched): no per-query
    allocation of per-state arrays. One query at a time uses it (``lock``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._bag = np.empty(0, dtype=np.int64)
        self._g = np.empty(0)
        self._lf = np.empty((0, 3))
        self._li = np.empty((0, 5), dtype=np.int64)
        self._done = np.empty(0, dtype=np.bool_)
        self._touched = np.empty(0, dtype=np.int64)
        self.hk = np.zeros(256)
        self.hi = np.empty(256, dtype=np.int64)

    def bag(self, n: int) -> np.ndarray:
        """The Pareto search's per state-layer list heads, all -1, at least ``n`` long."""
        if len(self._bag) < n:
            self._bag = np.full(n, -1, dtype=np.int64)
        return self._bag

    def labels(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The single-criterion search's per state-layer arrays (keys all inf, nothing done), at least ``n`` rows."""
        if len(self._g) < n:
            self._g = np.full(n, np.inf)
            self._lf = np.empty((n, 3))
            self._li = np.empty((n, 5), dtype=np.int64)
            self._done = np.zeros(n, dtype=np.bool_)
            self._touched = np.empty(n, dtype=np.int64)
        return self._g, self._lf, self._li, self._done, self._touched


class ArcRows(Sequence[Any]):
    """A read-only per-arc sequence computed on demand (``steps[a]``, ``out[s]``)."""

    __slots__ = ("_get", "_n")

    def __init__(self, get: Any, n: int):
        self._get, self._n = get, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return self._get(int(i) % self._n)


def groups(keys: np.ndarray, n: int) -> list[tuple[tuple[int, int], np.ndarray]]:
    """(high, low) halves of each distinct key with the rows that have it."""
    if n == 0:
        return []
    uniq, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(uniq)))
    out, start = [], 0
    for u, end in zip(uniq.tolist(), bounds.tolist(), strict=True):
        out.append(((u >> 16, u & 0xFFFF), order[start:end]))
        start = end
    return out
