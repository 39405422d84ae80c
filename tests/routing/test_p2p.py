"""The large-network point-to-point kernel (A* + landmarks) returns exactly Dijkstra's distances."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from silkway.routing.p2p import FastGraph


def _geometric(n: int, seed: int):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1000, (n, 2))
    a = rng.integers(0, n, 4 * n)
    b = rng.integers(0, n, 4 * n)
    keep = a != b
    a, b = a[keep], b[keep]
    # keep only short-ish links so the graph is spatial, plus a chain so most of it is connected
    close = np.hypot(*(xy[a] - xy[b]).T) < 150
    a, b = np.concatenate([a[close], np.arange(n - 1)]), np.concatenate([b[close], np.arange(1, n)])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs = np.unique(lo * n + hi)  # no parallel links (scipy's sparse matrix would add them up)
    a, b = pairs // n, pairs % n
    w = np.hypot(*(xy[a] - xy[b]).T) * rng.uniform(1.0, 1.5, len(a))
    return xy, a, b, w


@pytest.mark.parametrize("use_xy", [True, False])
def test_distances_equal_scipy(use_xy):
    n = 1500
    xy, a, b, w = _geometric(n, 7)
    fg = FastGraph.build(n, a, b, w, xy=(xy[:, 0], xy[:, 1]) if use_xy else None, n_landmarks=8, seed=1)
    csr = csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    sr = fg.searcher()
    rng = np.random.default_rng(3)
    for s, t in rng.integers(0, n, (25, 2)):
        ref = dijkstra(csr, indices=int(s))[t]
        d, path = sr.shortest_path(int(s), int(t))
        assert d == pytest.approx(ref, rel=1e-12)
        assert path[0] == s and path[-1] == t
        if s != t:  # the path is made of real links and its length is the distance
            lookup = {**{(u, v): x for u, v, x in zip(a, b, w, strict=True)}, **{(v, u): x for u, v, x in zip(a, b, w, strict=True)}}
            assert sum(lookup[(path[i], path[i + 1])] for i in range(len(path) - 1)) == pytest.approx(d, rel=1e-12)


def test_unreachable_and_goal_direction_settles_fewer_nodes():
    # two components: 0-1-2 and 3-4
    fg = FastGraph.build(5, np.array([0, 1, 3]), np.array([1, 2, 4]), np.array([1.0, 2.0, 1.0]), n_landmarks=2)
    sr = fg.searcher()
    d, path = sr.shortest_path(0, 4)
    assert d == np.inf and len(path) == 0
    assert sr.shortest_path(0, 2)[0] == 3.0
    n = 3000
    xy, a, b, w = _geometric(n, 11)
    fg = FastGraph.build(n, a, b, w, xy=(xy[:, 0], xy[:, 1]), n_landmarks=8)
    sr = fg.searcher()
    s, t = int(np.argmin(xy[:, 0])), int(np.argmax(xy[:, 0]))
    sr.shortest_path(s, t)
    assert sr.settled < n / 2
