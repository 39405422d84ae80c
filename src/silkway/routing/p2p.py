"""Fast single-criterion point-to-point shortest paths on large networks: A* with landmarks (ALT).

For networks far larger than the embedded corridor dataset (a continental rail/road graph with 10^5–10^6
nodes) the route planner needs one-criterion distance-and-path queries in well under a millisecond to
a few milliseconds. This module compiles an undirected weighted graph into CSR arrays and answers
queries with goal-directed search:

* **landmarks (ALT)**: exact distances from ``k`` landmarks (chosen farthest-first) give, by the triangle
  inequality, the lower bound ``max_l |d(l, t) - d(l, v)|`` on ``d(v, t)``;
* **geometry**: when the nodes have planar coordinates (km) and every edge is at least as long as the
  straight line between its ends, ``|xy(v) - xy(t)|`` is a lower bound too.

A* with the larger of the two bounds (both consistent, so their maximum is consistent) settles far fewer
nodes than Dijkstra and returns exactly the same distances. Kernels are compiled with numba
(``cache=True``); the first call of a process pays the JIT compilation (or the cache load).
Importing this module imports numba; ``silkway.routing`` does not import it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

INF = np.inf


@nb.njit(cache=True, inline="always")
def _push(hk, hv, size, key, val):
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@nb.njit(cache=True, inline="always")
def _pop(hk, hv, size):
    key, val = hk[0], hv[0]
    size -= 1
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[i] <= hk[c]:
            break
        hk[c], hk[i] = hk[i], hk[c]
        hv[c], hv[i] = hv[i], hv[c]
        i = c
    return key, val, size


@nb.njit(cache=True)
def sssp(indptr, indices, weights, source):
    """Dijkstra from ``source`` to every node (used to build the landmark tables)."""
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    hk = np.empty(indices.shape[0] + 1)
    hv = np.empty(indices.shape[0] + 1, dtype=np.int64)
    dist[source] = 0.0
    size = _push(hk, hv, 0, 0.0, source)
    while size > 0:
        d, u, size = _pop(hk, hv, size)
        if done[u]:
            continue
        done[u] = True
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            nd = d + weights[j]
            if nd < dist[v]:
                dist[v] = nd
                size = _push(hk, hv, size, nd, v)
    return dist


@nb.njit(cache=True)
def _astar(indptr, indices, weights, lm, x, y, use_xy, s, t, dist, pred, hval, stamp, qid, hk, hv):
    """A* from s to t with h = max(landmark bound, straight-line bound). Returns (distance, settled).

    ``dist``, ``pred``, ``hval`` are valid for a node only where ``stamp == qid`` (no reset between queries)."""
    n_lm = lm.shape[1]
    lt = lm[t]
    xt, yt = x[t], y[t]
    dist[s] = 0.0
    pred[s] = -1
    stamp[s] = qid
    hval[s] = 0.0
    size = _push(hk, hv, 0, 0.0, s)
    settled = 0
    while size > 0:
        f, u, size = _pop(hk, hv, size)
        du = dist[u]
        if f > du + hval[u] + 1e-12 * (1.0 + du):  # stale heap entry
            continue
        settled += 1
        if u == t:
            return du, settled
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            nd = du + weights[j]
            if stamp[v] != qid:
                stamp[v] = qid
                h = 0.0
                lv = lm[v]
                for k in range(n_lm):
                    b = lt[k] - lv[k]
                    if b < 0.0:
                        b = -b
                    if b > h:
                        h = b
                if use_xy:
                    dx = x[v] - xt
                    dy = y[v] - yt
                    e = np.sqrt(dx * dx + dy * dy)
                    if e > h:
                        h = e
                hval[v] = h
                dist[v] = nd
                pred[v] = u
                size = _push(hk, hv, size, nd + h, v)
            elif nd < dist[v]:
                dist[v] = nd
                pred[v] = u
                size = _push(hk, hv, size, nd + hval[v], v)
    return np.inf, settled


@nb.njit(cache=True)
def _path(pred, s, t):
    n = 0
    v = t
    while v != -1:
        n += 1
        if v == s:
            break
        v = pred[v]
    out = np.empty(n, dtype=np.int64)
    v = t
    for i in range(n - 1, -1, -1):
        out[i] = v
        v = pred[v]
    return out


@dataclass(frozen=True, eq=False)
class FastGraph:
    """An undirected weighted graph in CSR form with landmark tables, ready for :meth:`shortest_path`."""

    indptr: np.ndarray  # int64[n+1]
    indices: np.ndarray  # int64[2m]
    weights: np.ndarray  # float64[2m]
    landmarks: np.ndarray  # int64[k]
    lm_dist: np.ndarray  # float64[n, k]: distance from each landmark
    x: np.ndarray  # float64[n] planar km (zeros when not given)
    y: np.ndarray
    use_xy: bool

    @property
    def n_nodes(self) -> int:
        return self.indptr.shape[0] - 1

    @classmethod
    def build(cls, n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, *, xy: tuple[np.ndarray, np.ndarray] | None = None,
              n_landmarks: int = 16, seed: int = 0) -> FastGraph:
        """Compile edges (u, v, w ≥ 0) into CSR and pick ``n_landmarks`` farthest-first landmarks.

        ``xy``: planar coordinates in km; only pass them when every edge is at least as long as the
        straight line between its ends (the bound must never overestimate)."""
        tail = np.concatenate([u, v]).astype(np.int64)
        head = np.concatenate([v, u]).astype(np.int64)
        wt = np.concatenate([w, w]).astype(np.float64)
        order = np.argsort(tail, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
        indices, weights = head[order], wt[order]
        lms, tables = _landmarks(indptr, indices, weights, n, n_landmarks, seed)
        x, y = (np.ascontiguousarray(xy[0], np.float64), np.ascontiguousarray(xy[1], np.float64)) if xy is not None else (np.zeros(n), np.zeros(n))
        return cls(indptr, indices, weights, lms, tables, x, y, xy is not None)

    def searcher(self) -> Searcher:
        """Scratch space for queries (one per thread)."""
        return Searcher(self)


def _landmarks(indptr, indices, weights, n, k, seed):
    rng = np.random.default_rng(seed)
    first = sssp(indptr, indices, weights, int(rng.integers(n)))
    reach = np.isfinite(first)
    current = int(np.argmax(np.where(reach, first, -1.0)))
    chosen, tables = [], []
    nearest = np.full(n, np.inf)
    for _ in range(k):
        d = sssp(indptr, indices, weights, current)
        chosen.append(current)
        tables.append(np.where(np.isfinite(d), d, 0.0))
        nearest = np.minimum(nearest, d)
        current = int(np.argmax(np.where(np.isfinite(nearest), nearest, -1.0)))
    return np.array(chosen, dtype=np.int64), np.ascontiguousarray(np.stack(tables, axis=1))


class Searcher:
    """Per-thread state of :class:`FastGraph` queries (stamped arrays: no reset between queries)."""

    def __init__(self, g: FastGraph):
        n = g.n_nodes
        self.g = g
        self.dist = np.empty(n)
        self.pred = np.empty(n, dtype=np.int64)
        self.hval = np.empty(n)
        self.stamp = np.zeros(n, dtype=np.int64)
        self.qid = 0
        self.hk = np.empty(g.indices.shape[0] + 1)
        self.hv = np.empty(g.indices.shape[0] + 1, dtype=np.int64)
        self.settled = 0

    def shortest_path(self, s: int, t: int) -> tuple[float, np.ndarray]:
        """Distance and node path from ``s`` to ``t`` (``inf`` and an empty path when unreachable)."""
        g = self.g
        self.qid += 1
        d, self.settled = _astar(g.indptr, g.indices, g.weights, g.lm_dist, g.x, g.y, g.use_xy, s, t, self.dist, self.pred,
                                 self.hval, self.stamp, self.qid, self.hk, self.hv)
        if not np.isfinite(d):
            return d, np.empty(0, dtype=np.int64)
        return d, _path(self.pred, s, t)
