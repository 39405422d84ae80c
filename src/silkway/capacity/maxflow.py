"""Maximum flow and minimum cut over the station graph, with SciPy's ``maximum_flow`` (Dinic).

Each station ``i`` is split into an arc ``in(i) → out(i)`` carrying its capacity; a route ``s1, s2, …`` adds
unlimited arcs ``source → in(s1)``, ``out(s1) → in(s2)``, …, ``out(sn) → sink``. Capacities are integers:
trains/day × :data:`SCALE`. The minimum cut is read off the residual graph: the station arcs leaving the nodes
the source still reaches (and, when the cut is not unique, also those entering the nodes that still reach the sink).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

SCALE = 1000  # integer units per train/day
UNLIMITED_TRAINS_DAY = 10_000.0  # an arc at least this large is unlimited (sums of them stay inside int32)
_INF = int(UNLIMITED_TRAINS_DAY * SCALE)


@dataclass(frozen=True)
class Cut:
    trains_day: float | None  # None = unlimited (no finite cut)
    binding: tuple[int, ...]  # station indices in the minimum cut


def max_flow(capacity: np.ndarray, routes: Sequence[Sequence[int]]) -> Cut:
    """Maximum flow from the first stations of ``routes`` to their last ones, each station ``i`` passing at most
    ``capacity[i]`` trains/day (inf = unlimited)."""
    routes = [list(r) for r in routes if len(r)]
    if not routes:
        return Cut(0.0, ())
    used = sorted({s for r in routes for s in r})
    local = {s: k for k, s in enumerate(used)}
    n = 2 + 2 * len(used)  # 0 = source, 1 = sink, 2 + 2k = in, 3 + 2k = out
    arcs: dict[tuple[int, int], int] = {}
    for s in used:
        arcs[(2 + 2 * local[s], 3 + 2 * local[s])] = _units(capacity[s])
    for r in routes:
        arcs.setdefault((0, 2 + 2 * local[r[0]]), _INF)
        arcs.setdefault((3 + 2 * local[r[-1]], 1), _INF)
        for a, b in zip(r[:-1], r[1:], strict=True):
            arcs.setdefault((3 + 2 * local[a], 2 + 2 * local[b]), _INF)
    keys = list(arcs)
    graph = csr_matrix((np.array([arcs[k] for k in keys], dtype=np.int32), ([k[0] for k in keys], [k[1] for k in keys])), shape=(n, n))
    res = maximum_flow(graph, 0, 1, method="dinic")
    if res.flow_value >= _INF:
        return Cut(None, ())
    residual = _residual(graph, res.flow)
    from_source = set(breadth_first_order(residual, 0, directed=True, return_predecessors=False).tolist())
    to_sink = set(breadth_first_order(residual.T.tocsr(), 1, directed=True, return_predecessors=False).tolist())
    cut = [s for s in used if (2 + 2 * local[s] in from_source and 3 + 2 * local[s] not in from_source)
           or (2 + 2 * local[s] not in to_sink and 3 + 2 * local[s] in to_sink)]
    return Cut(float(res.flow_value) / SCALE, tuple(int(s) for s in cut))


def _units(trains_day: float) -> int:
    return _INF if not math.isfinite(trains_day) or trains_day >= UNLIMITED_TRAINS_DAY else max(0, int(round(trains_day * SCALE)))


def _residual(graph: csr_matrix, flow: csr_matrix) -> csr_matrix:
    """Arcs with room left: capacity − flow > 0 (a reverse arc has capacity 0, so its room is the flow it could undo)."""
    room = (graph.astype(np.int64) - flow.astype(np.int64)).tocoo()
    keep = room.data > 0
    return csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (room.row[keep], room.col[keep])), shape=graph.shape)
