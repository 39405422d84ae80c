"""The lower bounds' reverse searches of :func:`silkway.routing.search.lower_bounds`, compiled (numba, ``cache=True``).

One Dijkstra per criterion over a reversed graph in CSR form (``other[indptr[v]:indptr[v+1]]`` lead into v, with
their weights in the same order), on an indexed 4-ary heap: each state is in the heap at most once and a shorter way
moves it up (decrease-key), so the heap holds at most as many entries as states, not one per arc relaxed. At a hundred
thousand nodes (200k states, 600k arcs) one search took ≈ 40 ms against ≈ 105 ms with the lazy binary heap of
:mod:`silkway.routing.kernels` it replaced (measured when it was replaced, benchmarks/RESULTS.md "Issue 13, session 9");
``benchmarks/bench_bounds.py`` compares it with scipy's ``dijkstra`` on the same graph.
"""

from __future__ import annotations

import numpy as np

from silkway.routing import jit as nb

NEVER = -1  # pos[v]: v has not entered the heap
SETTLED = -2  # pos[v]: v left the heap with its distance final


@nb.njit(cache=True, inline="always")
def _up(hk, hi, pos, j, key, item):
    """Place ``item`` with ``key`` at slot ``j`` or above (parents with larger keys move down)."""
    while j > 0:
        p = (j - 1) >> 2
        if hk[p] <= key:
            break
        hk[j] = hk[p]
        hi[j] = hi[p]
        pos[hi[j]] = j
        j = p
    hk[j] = key
    hi[j] = item
    pos[item] = j


@nb.njit(cache=True, inline="always")
def _down(hk, hi, pos, size, key, item):
    """Place ``item`` with ``key`` at the root's slot or below (smaller children move up)."""
    j = 0
    while True:
        c = 4 * j + 1
        if c >= size:
            break
        best = c
        bk = hk[c]
        for cc in range(c + 1, min(c + 4, size)):
            if hk[cc] < bk:
                best = cc
                bk = hk[cc]
        if bk >= key:
            break
        hk[j] = bk
        hi[j] = hi[best]
        pos[hi[j]] = j
        j = best
    hk[j] = key
    hi[j] = item
    pos[item] = j


@nb.njit(cache=True)
def dijkstra(indptr, other, weight, seeds, seed_val, n, goal, reach):
    """Least sum of ``weight`` from the seeds (starting at ``seed_val``) to every one of ``n`` states.

    With ``reach`` > 0 it stops once every state of ``goal`` is settled and the next key passes ``reach`` × the key of
    the last of them; every state not settled then gets that next key (a lower bound: Dijkstra settles in order of
    distance, so no unsettled state is nearer than the least key of the heap)."""
    dist = np.full(n, np.inf)
    pos = np.full(n, NEVER, dtype=np.int64)
    hk = np.empty(n)
    hi = np.empty(n, dtype=np.int64)
    size = 0
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if seed_val[i] < dist[s]:
            dist[s] = seed_val[i]
            j = pos[s]
            if j == NEVER:
                j = size
                size += 1
            _up(hk, hi, pos, j, seed_val[i], s)
    left = 0
    is_goal = np.zeros(n if reach > 0.0 else 0, dtype=np.bool_)
    for s in goal:
        if reach > 0.0 and not is_goal[s]:
            is_goal[s] = True
            left += 1
    limit = np.inf
    while size > 0:
        u = hi[0]
        d = hk[0]
        if d > limit:
            for v in range(n):
                if pos[v] != SETTLED:
                    dist[v] = d
            return dist
        pos[u] = SETTLED
        size -= 1
        if size > 0:
            _down(hk, hi, pos, size, hk[size], hi[size])
        if left > 0 and is_goal[u]:
            left -= 1
            if left == 0:
                limit = reach * d
        for k in range(indptr[u], indptr[u + 1]):
            v = other[k]
            nd = d + weight[k]
            if nd < dist[v]:
                dist[v] = nd
                j = pos[v]
                if j == SETTLED:  # only with a negative weight: the dataset's validation refuses those
                    continue
                if j == NEVER:
                    j = size
                    size += 1
                _up(hk, hi, pos, j, nd, v)
    return dist


@nb.njit(cache=True)
def bounds(indptr, other, wt, wc, we, seeds, seed_t, seed_c, seed_e, n, goal, reach):
    """Lower bounds (time, cost, CO2e) from every state to the destination: :func:`dijkstra` over the reversed arcs,
    once per criterion, each cut short past ``reach`` × the farthest of the ``goal`` states when ``reach`` > 0."""
    lt = dijkstra(indptr, other, wt, seeds, seed_t, n, goal, reach)
    lc = dijkstra(indptr, other, wc, seeds, seed_c, n, goal, reach)
    le = dijkstra(indptr, other, we, seeds, seed_e, n, goal, reach)
    return lt, lc, le
