"""Connected components of an undirected graph over arrays (numpy union-find): a million nodes take a second."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

import numpy as np

_Node = TypeVar("_Node", bound=Hashable)  # a node id: str in a dataset, int in an import


def components(node_ids: Iterable[_Node], edges: Iterable[tuple[_Node, _Node]]) -> list[set[_Node]]:
    """Connected components, largest first (ties in the order of ``node_ids``); edges naming a node not in
    ``node_ids`` are ignored."""
    index: dict[_Node, int] = {}
    for n in node_ids:
        index.setdefault(n, len(index))
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    root, ordered = component_order(len(index), arr[:, 0], arr[:, 1])
    names = list(index)
    members: dict[int, set[_Node]] = {int(r): set() for r in ordered}
    for name, r in zip(names, root.tolist(), strict=True):
        members[r].add(name)
    return [members[int(r)] for r in ordered]


def component_order(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(root of each node, the roots ordered largest component first, ties by their first node) of the graph on
    nodes ``0..n-1`` with edges ``a[i]``–``b[i]``."""
    root = _roots(n, a, b)
    first = np.full(n, n, dtype=np.int64)
    np.minimum.at(first, root, np.arange(n))  # the first node of each component
    roots = np.unique(root)
    sizes = np.bincount(root, minlength=n)[roots]
    return root, roots[np.lexsort((first[roots], -sizes))]


def _roots(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The root (smallest index) of each node's component: hook roots to the smaller one, then jump pointers."""
    parent = np.arange(n, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            return parent
        np.minimum.at(parent, np.maximum(ra, rb)[differ], np.minimum(ra, rb)[differ])
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent
