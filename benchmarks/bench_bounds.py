"""The lower bounds' reverse Dijkstra (``routing/boundkernel.py``, the search ``silkway route`` runs three times per
query) against scipy's ``dijkstra`` on the same reversed graph: the states with an allowed arc of a synthetic dataset's
state graph (``search._reverse_states``, as ``search.lower_bounds`` builds it), whole-graph searches from random
destinations, time criterion, distances checked equal.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_bounds.py --nodes 100000 --queries 20

Load averages are printed with the figures; quote quiet-machine figures only from a quiet run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _load() -> str:
    return " / ".join(open("/proc/loadavg").read().split()[:3])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

    from make_synthetic import synthetic_router
    from silkway.routing import boundkernel, search
    from silkway.routing.stategraph import SPN

    load0 = _load()
    r, *_ = synthetic_router(args.nodes)
    g = r.graph
    ar = g.arrays()
    ok = r.allowed(r.parse_avoid(()))
    n, cid, indptr, other, wt, _wc, _we = search._reverse_states(g, ar, ok)
    heads = np.repeat(np.arange(n + 1), np.diff(indptr))
    # scipy has no zero-weight arcs in a sparse graph: the few zero weights (none on this dataset) would be dropped
    mat = sp.csr_matrix((np.maximum(wt, 1e-12), (heads, other)), shape=(n + 1, n + 1))
    rng = np.random.default_rng(args.seed)
    dests = rng.choice(len(g.node_ids), args.queries, replace=False)
    none = np.empty(0, dtype=np.int64)
    ours, theirs, same = [], [], True
    boundkernel.dijkstra(indptr, other, wt, np.array([0]), np.zeros(1), n + 1, none, 0.0)  # warm-up (compile / load)
    for d in dests.tolist():
        seeds = cid[d * SPN:(d + 1) * SPN]
        seeds = seeds[seeds < n]
        c0 = time.process_time()
        mine = boundkernel.dijkstra(indptr, other, wt, seeds, np.zeros(len(seeds)), n + 1, none, 0.0)
        ours.append(time.process_time() - c0)
        c0 = time.process_time()
        ref = scipy_dijkstra(mat, indices=seeds, min_only=True)
        theirs.append(time.process_time() - c0)
        fin = np.isfinite(ref)
        same &= bool(np.array_equal(np.isfinite(mine), fin) and np.allclose(mine[fin], ref[fin], atol=1e-6))
    a, b = np.median(ours) * 1e3, np.median(theirs) * 1e3
    print(f"{len(g.node_ids):,} nodes: reversed graph of {n:,} states with an allowed arc, {len(other):,} arcs; "
          f"{args.queries} whole-graph searches, median CPU ms: silkway boundkernel.dijkstra {a:.1f}, "
          f"scipy.sparse.csgraph.dijkstra {b:.1f} ({b / a:.2f}×); same distances: {same}; load {load0} → {_load()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
