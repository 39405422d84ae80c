"""`make bench` entry for the route planner: the issue-3 performance targets as assertions.

Runs the same code as ``benchmarks/bench_routing.py`` with fewer queries (the full report comes from the
script). Never part of the default test run (``testpaths = ["tests"]``).
"""

from __future__ import annotations

import numpy as np

from bench_routing import bench_embedded, bench_synthetic


def test_embedded_full_query_p50_under_5ms_cpu():
    emb = bench_embedded(repeats=10)
    print(emb)
    # CPU time of the querying thread: wall clock on a shared 2-core machine adds the time spent waiting for a core
    assert emb["cpu_p50_ms"] < 5.0


def test_synthetic_planner_search_agrees_with_and_beats_every_peer():
    syn = bench_synthetic(100_000, n_queries=30, n_nx=10, seed=2026)
    for label in ("symmetric", "asymmetric"):
        assert all(syn[(label, "agree")].values()), syn[(label, "agree")]
        for peer in ("networkx", "igraph", "rustworkx", "scipy"):
            t = syn[(label, peer + "_cpu")]
            ratio = float(np.median(t)) / float(np.median(syn[(label, "silkway_cpu")][: len(t)]))
            print(label, peer, f"{ratio:.1f}x")
            assert ratio >= 1.0, (label, peer, ratio)
