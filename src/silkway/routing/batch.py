"""The corridor alternatives of a query in one compiled call: for each corridor, the single-criterion search of
:func:`silkway.routing.search.best_path` with that corridor's per-arc penalty, run by the same compiled search
(:func:`silkway.routing.kernels.best`) on the same inputs, one after the other in one numba call instead of one
Python call each (the Python set-up of four searches cost as much as the searches on the embedded dataset).

The answers are those of ``best_path`` called once per corridor in the same order: the same start labels, bounds
(the query's lower bounds when kept, scaled like ``best_path`` does), workspace and heap. On a graph searched through a
skeleton of contracted chains (``StateGraph.skeleton``), ``best_path`` itself is called per corridor.

numba stamps a cached function with its own file only; :func:`corridor_searches` inlines and calls the searches of
``kernels.py``, so its cache is stamped with both files: editing either
recompiles it (:mod:`silkway.kernel_cache`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from silkway.routing import jit as nb
from silkway.routing.contract import rule_words
from silkway.routing.kernels import best, trace
from silkway.routing.regions import Regions
from silkway.routing.search import NO_BOUND, Path, Query, _ends, _first_layer, best_path, lower_bounds, near_states
from silkway.routing.stategraph import N_PLATFORMS, SPN, StateGraph

SOURCES = ("batch.py", "kernels.py")  # the files whose code a compiled function of this module holds


@nb.stamped(SOURCES, cache=True)
def corridor_searches(indptr, arcs, head, pre, period, offset, post, cost, co2e, transfer, allowed,
                      use_rules, enter0, enter1, leave0, leave1, start_s, start_t, start_c, start_e, layer0, via, dest, spn,
                      n_platforms, fin_t, fin_c, fin_e, objective, penalties, rows, scales, lb, lbi, g, lf, li, done, touched, hk, hi):
    """``kernels.best`` once per row ``r`` of ``rows`` with ``penalties[rows[r]]`` and ``lb`` times ``scales[r]`` (when
    not 1). Returns per row: the end state-layer key (-1: none), [t, c, e] with the unloading, transfers, the first
    state-layer key; the arcs of row r are ``arc_buf[arc_ptr[r]:arc_ptr[r + 1]]``; and the heap arrays."""
    nr = rows.shape[0]
    n_layers = via.shape[0] + 1
    end = np.full(nr, -1, dtype=np.int64)
    fig = np.zeros((nr, 3))
    tr = np.zeros(nr, dtype=np.int64)
    first = np.zeros(nr, dtype=np.int64)
    arc_ptr = np.zeros(nr + 1, dtype=np.int64)
    arc_buf = np.empty(64, dtype=np.int64)
    for r in range(nr):
        lbr = lb if scales[r] == 1.0 else lb * max(scales[r], 0.0)
        sk, _key, lf, li, hk, hi = best(
            indptr, arcs, head, pre, period, offset, post, cost, co2e, transfer, allowed,
            use_rules, enter0, enter1, leave0, leave1, start_s, start_t, start_c, start_e, layer0, via, dest, spn, n_platforms,
            fin_t, fin_c, fin_e, objective, penalties[rows[r]], lbr, lbi, g, lf, li, done, touched, hk, hi)
        arc_ptr[r + 1] = arc_ptr[r]
        if sk < 0:
            continue
        p = ((sk // n_layers) // 2) % n_platforms
        end[r] = sk
        fig[r, 0], fig[r, 1], fig[r, 2] = lf[sk, 0] + fin_t[p], lf[sk, 1] + fin_c[p], lf[sk, 2] + fin_e[p]
        tr[r] = li[sk, 2]
        path, first[r] = trace(li, sk, 0, 1)
        need = arc_ptr[r] + path.shape[0]
        if need > arc_buf.shape[0]:
            grown = np.empty(max(need, 2 * arc_buf.shape[0]), dtype=np.int64)
            grown[:arc_ptr[r]] = arc_buf[:arc_ptr[r]]
            arc_buf = grown
        arc_buf[arc_ptr[r]:need] = path
        arc_ptr[r + 1] = need
    return end, fig, tr, first, arc_ptr, arc_buf, hk, hi



class Penalties:
    """The per-arc penalty multipliers of a router's corridors as one matrix (row per corridor), and per row the scale
    ``best_path`` gives the lower bound (``min(1, least multiplier)``)."""

    def __init__(self, rows: Sequence[np.ndarray], n_arcs: int):
        self.matrix = np.ascontiguousarray(np.stack(list(rows)) if len(rows) else np.ones((0, n_arcs)), dtype=np.float64)
        self.scales = np.asarray([min(1.0, float(r.min())) if len(r) else 1.0 for r in self.matrix], dtype=np.float64)


def corridor_paths(g: StateGraph, q: Query, allowed: np.ndarray, objective: int, penalties: Penalties, rows: Sequence[int],
                   rules: Regions | None = None) -> list[Path | None]:
    """``best_path(g, q, allowed, objective, penalties.matrix[r], rules)`` for each r of ``rows``, in that order."""
    if getattr(g, "skeleton", None) is not None:  # the searches run on the skeleton: best_path maps them back
        return [best_path(g, q, allowed, objective, penalties.matrix[r], rules) for r in rows]
    if not len(rows):
        return []
    ar = g.arrays()
    kept = lower_bounds(g, q.dest, allowed, compute=False, near=near_states(g, q, allowed, ar))
    lb, lbi = (NO_BOUND, ar.zero_index) if kept is None else (kept[objective], kept.row)
    scales = penalties.scales[list(rows)] if kept is not None else np.ones(len(rows))
    use_rules, e0, e1, l0, l1 = rule_words(g, ar, rules)
    (ss, ts, cs, es), (ft, fc, fe), via, n_layers = _ends(g, ar, q, allowed)
    ws = g.scratch
    with ws.lock:
        gk, lf, li, done, touched = ws.labels(g.n_states * n_layers)
        end, fig, tr, first, ptr, buf, ws.hk, ws.hi = corridor_searches(
            ar.indptr, ar.arcs, ar.head, ar.pre_h, ar.period_h, ar.offset_h, ar.post_h, ar.cost, ar.co2e, ar.transfer, allowed,
            use_rules, e0, e1, l0, l1, ss, ts, cs, es, _first_layer(q), via, q.dest, SPN, N_PLATFORMS, ft, fc, fe,
            objective, penalties.matrix, np.asarray(rows, dtype=np.int64), scales, lb, lbi, gk, lf, li, done, touched, ws.hk, ws.hi)
    out: list[Path | None] = []
    arcs = buf.tolist()
    for r, (sk, (t, c, e), n_tr, f0) in enumerate(zip(end.tolist(), fig.tolist(), tr.tolist(), first.tolist(), strict=True)):
        out.append(None if sk < 0 else Path(f0 // n_layers, tuple(arcs[ptr[r]:ptr[r + 1]]), sk // n_layers, t, c, e, n_tr))
    return out
