"""The lower bounds' Dijkstra (``routing/boundkernel.py``, indexed 4-ary heap with decrease-key) against scipy's on
random directed graphs with parallel arcs, zero weights and unreachable states; cut short, every value stays a lower
bound and the states within the stopping key keep their exact distance."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

from silkway.routing.boundkernel import bounds, dijkstra


def _graph(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(indptr by head, tail per arc, weight per arc, head per arc) of ``m`` random arcs over ``n`` states."""
    head = rng.integers(0, n, m)
    tail = rng.integers(0, n, m)
    w = np.where(rng.uniform(size=m) < 0.1, 0.0, rng.uniform(0.0, 10.0, m))
    order = np.argsort(head, kind="stable")
    head, tail, w = head[order], tail[order], w[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(head, minlength=n), out=indptr[1:])
    return indptr, tail.astype(np.int64), w, head


def _exact(n: int, tail: np.ndarray, head: np.ndarray, w: np.ndarray, seeds: np.ndarray, seed_val: np.ndarray) -> np.ndarray:
    """Distances from the seeds (with their start values) along the reversed arcs, by scipy: a super-source ``n`` with
    an arc to each seed weighing its start value; parallel arcs give their least weight; zero weights become 1e-12
    (scipy's sparse graphs have no zero-weight arcs), so the comparison allows for that."""
    best: dict[tuple[int, int], float] = {}
    rows = np.concatenate([head, np.full(len(seeds), n)]).tolist()
    cols = np.concatenate([tail, seeds]).tolist()
    for r, c, v in zip(rows, cols, np.concatenate([w, seed_val]).tolist(), strict=True):
        if r != c:
            best[(r, c)] = min(max(v, 1e-12), best.get((r, c), np.inf))
    r_, c_ = np.array([k[0] for k in best]), np.array([k[1] for k in best])
    mat = sp.csr_matrix((np.array(list(best.values())), (r_, c_)), shape=(n + 1, n + 1))
    return np.asarray(scipy_dijkstra(mat, indices=n))[:n]


@pytest.mark.parametrize("seed", range(8))
def test_dijkstra_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    n, m = 300, 900
    indptr, tail, w, head = _graph(rng, n, m)
    seeds = rng.choice(n, 3, replace=False).astype(np.int64)
    seed_val = rng.uniform(0.0, 2.0, 3)
    got = dijkstra(indptr, tail, w, seeds, seed_val, n, np.empty(0, dtype=np.int64), 0.0)
    want = _exact(n, tail, head, w, seeds, seed_val)
    assert np.array_equal(np.isinf(got), np.isinf(want))
    fin = np.isfinite(want)
    assert np.allclose(got[fin], want[fin], atol=1e-6)
    lt, lc, le = bounds(indptr, tail, w, 2 * w, 3 * w, seeds, seed_val, 2 * seed_val, 3 * seed_val, n,
                        np.empty(0, dtype=np.int64), 0.0)
    assert np.array_equal(lt, got) and np.allclose(lc, 2 * got) and np.allclose(le, 3 * got)


@pytest.mark.parametrize("reach", [1.0, 1.5])
@pytest.mark.parametrize("seed", range(6))
def test_cut_short_stays_a_lower_bound_and_exact_within_the_stop(seed, reach):
    rng = np.random.default_rng(100 + seed)
    n, m = 400, 1400
    indptr, tail, w, head = _graph(rng, n, m)
    seeds = np.array([0], dtype=np.int64)
    full = dijkstra(indptr, tail, w, seeds, np.zeros(1), n, np.empty(0, dtype=np.int64), 0.0)
    reachable = np.flatnonzero(np.isfinite(full) & (full > 0))
    goal = rng.choice(reachable, min(3, len(reachable)), replace=False).astype(np.int64)
    cut = dijkstra(indptr, tail, w, seeds, np.zeros(1), n, goal, reach)
    assert np.all(cut <= full + 1e-12)  # a lower bound everywhere (inf stays only where nothing is left to settle)
    stop = reach * full[goal].max()
    within = full <= stop
    assert np.array_equal(cut[within], full[within])  # everything within the stopping key is settled, exactly
    assert np.all(cut[~within] >= stop - 1e-12)  # the rest got the key it stopped at, past the limit


def test_the_graphs_cache_keeps_the_recently_used_and_the_bounds_within_their_budget(monkeypatch):
    """search._cached/_store: at most KEPT results, the least recently used dropped first; lower bounds (3 floats per
    state with an arc) at most as many as BOUNDS_FLOATS allows; a hit needs the very allowed-arcs array."""
    from silkway.routing import search

    cache: dict = {}
    ok, other = np.ones(3, dtype=np.bool_), np.ones(3, dtype=np.bool_)
    for k in range(search.KEPT):
        search._store(cache, (-1, k), ok, k)
    assert search._cached(cache, (-1, 0), ok) == 0  # touched: now the most recent
    assert search._cached(cache, (-1, 1), other) is None  # another allowed-arcs array is not a hit
    search._store(cache, (-1, 99), ok, 99)
    assert len(cache) == search.KEPT and (-1, 1) not in cache and (-1, 0) in cache
    monkeypatch.setattr(search, "BOUNDS_FLOATS", 3 * 10 * 2)  # room for two bounds of 10 rows
    b = search.Bounds(np.zeros(10), np.zeros(10), np.zeros(10), np.zeros(4, dtype=np.int64))
    for dest in range(4):
        search._store(cache, (dest, 0), ok, b, per_state=3)
    assert sorted(k for k in cache if k[0] >= 0) == [(2, 0), (3, 0)]
    assert len(cache) <= search.KEPT and (-1, 99) in cache
