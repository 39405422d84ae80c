"""The planner's compiled searches (numba, ``cache=True``) over the arrays of :class:`~silkway.routing.stategraph.Arrays`.

* :func:`bounds` — per-criterion lower bounds to the destination: one Dijkstra per criterion on the *reversed*
  state graph from every destination state (seeded with that state's unloading), so the bound of a state is the
  least time, cost or CO2e of any way on to the destination along the arcs in their own direction (correct for
  directed, asymmetric costs). The time bound counts every arc's fixed hours and no wait for a departure: waits are
  never negative, so it stays a lower bound with timetables. On large networks each search may stop past a radius
  around the query's start states; the states beyond get the radius, still a lower bound.
* the Pareto label-setting: :mod:`silkway.routing.paretokernel` (it calls this module's heap).
* :func:`best` — time-dependent Dijkstra on one criterion with per-arc multipliers (the corridor alternatives).

Region masks (the corridor rule) are two 64-bit words per arc: up to 128 countries and water bodies.
"""

from __future__ import annotations

import numpy as np

from silkway.routing import jit as nb  # numba, imported only when a kernel compiles (routing/jit.py)

EPS = 1e-9


@nb.njit(cache=True, inline="always")
def _next_departure(t, period, offset):
    return offset + np.ceil((t - offset) / period - EPS) * period


@nb.njit(cache=True, inline="always")
def _before(a0, a1, a2, ai, hk, hi, j):
    """Whether the entry (a0, a1, a2, ai) comes before the heap's row ``j`` in (key 0, key 1, key 2, index) order."""
    if a0 != hk[j, 0]:
        return a0 < hk[j, 0]
    if a1 != hk[j, 1]:
        return a1 < hk[j, 1]
    if a2 != hk[j, 2]:
        return a2 < hk[j, 2]
    return ai < hi[j]


@nb.njit(cache=True)
def _push(hk, hi, size, k0, k1, k2, idx):
    """Push onto a heap ordered by (k0, k1, k2, idx); the entry moves up through a hole (one write per level). The
    indices are distinct, so the order is total and the pops come in the same sequence whatever the layout."""
    if size == hk.shape[0]:
        hk2 = np.empty((2 * size, 3))
        hi2 = np.empty(2 * size, dtype=np.int64)
        hk2[:size] = hk
        hi2[:size] = hi
        hk, hi = hk2, hi2
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if not _before(k0, k1, k2, idx, hk, hi, p):
            break
        hk[i, 0], hk[i, 1], hk[i, 2], hi[i] = hk[p, 0], hk[p, 1], hk[p, 2], hi[p]
        i = p
    hk[i, 0], hk[i, 1], hk[i, 2], hi[i] = k0, k1, k2, idx
    return hk, hi, size + 1


@nb.njit(cache=True)
def _pop(hk, hi, size):
    """Pop the least entry of a :func:`_push` heap: (its index, new size); the last entry moves down through a hole."""
    idx = hi[0]
    size -= 1
    if size > 0:
        k0, k1, k2, x = hk[size, 0], hk[size, 1], hk[size, 2], hi[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and _before(hk[c + 1, 0], hk[c + 1, 1], hk[c + 1, 2], hi[c + 1], hk, hi, c):
                c += 1
            if _before(k0, k1, k2, x, hk, hi, c):
                break
            hk[i, 0], hk[i, 1], hk[i, 2], hi[i] = hk[c, 0], hk[c, 1], hk[c, 2], hi[c]
            i = c
        hk[i, 0], hk[i, 1], hk[i, 2], hi[i] = k0, k1, k2, x
    return idx, size


@nb.njit(cache=True)
def _push1(hk, hi, size, key, idx):
    """Push onto a heap ordered by (key, idx): one float key, for the single-criterion searches."""
    if size == hk.shape[0]:
        hk2 = np.empty(2 * size)
        hi2 = np.empty(2 * size, dtype=np.int64)
        hk2[:size] = hk
        hi2[:size] = hi
        hk, hi = hk2, hi2
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] < key or (hk[p] == key and hi[p] < idx):
            break
        hk[i] = hk[p]
        hi[i] = hi[p]
        i = p
    hk[i] = key
    hi[i] = idx
    return hk, hi, size + 1


@nb.njit(cache=True)
def _pop1(hk, hi, size):
    """Pop the least (key, idx) of a :func:`_push1` heap: (key, idx, new size)."""
    key, idx = hk[0], hi[0]
    size -= 1
    if size > 0:
        k, x = hk[size], hi[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and (hk[c + 1] < hk[c] or (hk[c + 1] == hk[c] and hi[c + 1] < hi[c])):
                c += 1
            if k < hk[c] or (k == hk[c] and x < hi[c]):
                break
            hk[i] = hk[c]
            hi[i] = hi[c]
            i = c
        hk[i] = k
        hi[i] = x
    return key, idx, size


@nb.njit(cache=True)
def reaches(rindptr, rarcs, tail, allowed, seeds, n_states):
    """Per state: can it reach one of the ``seeds`` states over the allowed arcs (a search over the reversed arcs)?"""
    seen = np.zeros(n_states, dtype=np.bool_)
    stack = np.empty(n_states, dtype=np.int64)
    top = 0
    for s in seeds:
        if not seen[s]:
            seen[s] = True
            stack[top] = s
            top += 1
    while top > 0:
        top -= 1
        u = stack[top]
        for j in range(rindptr[u], rindptr[u + 1]):
            a = rarcs[j]
            v = tail[a]
            if allowed[a] and not seen[v]:
                seen[v] = True
                stack[top] = v
                top += 1
    return seen


@nb.njit(cache=True)
def best(indptr, arcs, head, pre, period, offset, post, cost, co2e, transfer, allowed,
         use_rules, enter0, enter1, leave0, leave1,
         start_s, start_t, start_c, start_e, layer0, via, dest, spn, n_platforms,
         fin_t, fin_c, fin_e, objective, penalty, lb, lbi, g, lf, li, done, touched, hk, hi):
    """Time-dependent Dijkstra (A* with the admissible ``lb``, a state's in row ``lbi[state]``) on one criterion with per-arc multipliers ``penalty``
    (>= the scale the bound was built for). Returns (found, end key, per state-layer label floats [t, c, e] and ints
    [arc, parent key, transfers], the heap arrays).

    The per state-layer arrays are a caller's workspace of at least (states × layers) rows: ``g`` all inf and ``done``
    all False on entry, and so again on return (only the entries this call touched are reset); ``lf``/``li`` hold
    the labels of the entries with a finite ``g`` until the next call. ``touched`` has as many rows as ``g``; the heap
    (``hk``, ``hi``) grows as needed and is returned for the next call."""
    n_layers = via.shape[0] + 1
    last = n_layers - 1
    n_touched = 0
    size = 0
    for k in range(start_s.shape[0]):
        s = start_s[k]
        sk = s * n_layers + layer0
        k0 = start_t[k] if objective == 0 else (start_c[k] if objective == 1 else start_e[k])
        if k0 < g[sk]:
            if g[sk] == np.inf:
                touched[n_touched] = sk
                n_touched += 1
            g[sk] = k0
            lf[sk, 0], lf[sk, 1], lf[sk, 2] = start_t[k], start_c[k], start_e[k]
            li[sk, 0], li[sk, 1], li[sk, 2], li[sk, 3], li[sk, 4] = -1, -1, 0, 0, 0
            hk, hi, size = _push1(hk, hi, size, k0 + lb[lbi[s]], sk)
    best_key = np.inf
    best_sk = -1
    while size > 0:
        f, sk, size = _pop1(hk, hi, size)
        if done[sk]:
            continue
        if f >= best_key:
            break
        done[sk] = True
        s = sk // n_layers
        layer = sk - s * n_layers
        t, c, e = lf[sk, 0], lf[sk, 1], lf[sk, 2]
        key = g[sk]
        if s // spn == dest and layer == last:
            p = (s // 2) % n_platforms
            fkey = key + (fin_t[p] if objective == 0 else (fin_c[p] if objective == 1 else fin_e[p]))
            if fkey < best_key:
                best_key = fkey
                best_sk = sk
            continue
        m0, m1 = li[sk, 3], li[sk, 4]
        for j in range(indptr[s], indptr[s + 1]):
            a = arcs[j]
            if not allowed[a]:
                continue
            if use_rules and ((m0 & enter0[a]) != 0 or (m1 & enter1[a]) != 0):
                continue
            s2 = head[a]
            if lb[lbi[s2]] == np.inf:
                continue
            layer2 = layer
            if layer < last and s2 // spn == via[layer]:
                layer2 = layer + 1
            sk2 = s2 * n_layers + layer2
            if done[sk2]:
                continue
            t2 = t + pre[a]
            if period[a] != 0.0:
                t2 = _next_departure(t2, period[a], offset[a])
            t2 += post[a]
            delta = t2 - t if objective == 0 else (cost[a] if objective == 1 else co2e[a])
            k2 = key + delta * penalty[a]
            if k2 < g[sk2]:
                if g[sk2] == np.inf:
                    touched[n_touched] = sk2
                    n_touched += 1
                g[sk2] = k2
                lf[sk2, 0], lf[sk2, 1], lf[sk2, 2] = t2, c + cost[a], e + co2e[a]
                li[sk2, 0], li[sk2, 1], li[sk2, 2] = a, sk, li[sk, 2] + transfer[a]
                if use_rules:
                    li[sk2, 3], li[sk2, 4] = m0 | leave0[a], m1 | leave1[a]
                hk, hi, size = _push1(hk, hi, size, k2 + lb[lbi[s2]], sk2)
    for k in range(n_touched):
        g[touched[k]] = np.inf
        done[touched[k]] = False
    return best_sk, best_key, lf, li, hk, hi


@nb.njit(cache=True)
def trace(li, i, arc_col, parent_col):
    """The arcs from the start to label (or state-layer) ``i`` following the parent links, in order."""
    n = 0
    j = i
    while li[j, arc_col] >= 0:
        n += 1
        j = li[j, parent_col]
    out = np.empty(n, dtype=np.int64)
    j = i
    while li[j, arc_col] >= 0:
        n -= 1
        out[n] = li[j, arc_col]
        j = li[j, parent_col]
    return out, j


@nb.njit(cache=True)
def corridor(indptr, order, arc_head, arc_link, link_ok, link_time, link_rail, link_g0, link_g1, change_h,
             target_node, target_link, start_g, end_ok, origin, layer0, n_nodes):
    """Fastest path over (via layer, node, gauge) states of the compiled network (:mod:`silkway.simulation.paths`):
    gauge 0 = free, 1 = 1435, 2 = 1520. Arcs of node u are ``order[indptr[u]:indptr[u+1]]`` (link order); a rail
    link is usable on its gauges ``link_g0``/``link_g1`` (0 = none) from gauge 0 or the same gauge, another mode
    leaves on gauge 0; ``change_h[u, g]`` is the hours of a gauge change at u onto gauge g (inf: none there). Ties
    are broken by the order states were reached (the heap's insertion number). Returns (goal state or -1, hours,
    per state the previous state and the arc taken, -1 for a gauge change)."""
    n_targets = target_node.shape[0]
    n = (n_targets + 1) * n_nodes * 3
    dist = np.full(n, np.inf)
    prev = np.full(n, -1, dtype=np.int64)
    via_arc = np.full(n, -1, dtype=np.int64)
    hk = np.zeros((64, 3))
    hi = np.empty(64, dtype=np.int64)
    size = 0
    seq = 0
    for k in range(start_g.shape[0]):
        s = (layer0 * n_nodes + origin) * 3 + start_g[k]
        dist[s] = 0.0
        hk, hi, size = _push(hk, hi, size, 0.0, float(seq), 0.0, s)
        seq += 1
    while size > 0:
        d = hk[0, 0]
        state, size = _pop(hk, hi, size)
        if d > dist[state]:
            continue
        g = state % 3
        u = (state // 3) % n_nodes
        layer = state // (3 * n_nodes)
        if layer == n_targets and (g == 0 or end_ok[g]):
            return state, d, prev, via_arc
        for j in range(indptr[u], indptr[u + 1]):
            a = order[j]
            i = arc_link[a]
            if not link_ok[i]:
                continue
            v = arc_head[a]
            nl = layer
            if layer < n_targets and (target_node[layer] == v or target_link[layer] == i):
                nl = layer + 1
            nd = d + link_time[i]
            for slot in range(2):
                if link_rail[i]:
                    gauge = link_g0[i] if slot == 0 else link_g1[i]
                    if gauge == 0 or (g != 0 and g != gauge):
                        continue
                elif slot == 0:
                    gauge = 0
                else:
                    continue
                s2 = (nl * n_nodes + v) * 3 + gauge
                if nd < dist[s2]:
                    dist[s2] = nd
                    prev[s2] = state
                    via_arc[s2] = a
                    hk, hi, size = _push(hk, hi, size, nd, float(seq), 0.0, s2)
                    seq += 1
        if g != 0:
            to = 3 - g
            if change_h[u, to] < np.inf:
                s2 = state - g + to
                nd = d + change_h[u, to]
                if nd < dist[s2]:
                    dist[s2] = nd
                    prev[s2] = state
                    via_arc[s2] = -1
                    hk, hi, size = _push(hk, hi, size, nd, float(seq), 0.0, s2)
                    seq += 1
    return -1, np.inf, prev, via_arc
