"""Route-planner benchmarks (not part of the test suite).

Run:

    .venv/bin/python benchmarks/bench_routing.py                 # both parts, full size
    .venv/bin/python benchmarks/bench_routing.py --nodes 20000   # quicker synthetic graph

Part 1, embedded dataset: latency of a full query (Pareto set + corridor alternatives + Monte Carlo P90, 1000
draws) over a fixed mix of origin/destination pairs, twice: ``Router.route`` on a router built once, and the public
``silkway.route(net, ...)`` (which keeps the router on the network: built on its first call). Also reported: the
load average before and after, and the CPU steal share of the run (a VM whose host is busy loses CPU time that
the load average does not show).

Part 2, synthetic continental network generated reproducibly (seed 2026): ``--nodes`` points uniform
in a 4000 km × 2500 km rectangle, each linked to its 6 nearest neighbours (links deduplicated), length
= straight line × U(1.0, 1.4), so the straight line is an admissible, consistent A* bound. Single-
criterion point-to-point queries (distance and path) between random node pairs of the largest
component, the same pairs for every library in the same run:

* silkway ``routing.p2p`` (A* with 16 farthest-first landmarks + straight-line bound, numba),
* a plain numba binary-heap Dijkstra with early exit (reference for what goal direction buys),
* networkx ``bidirectional_dijkstra``, igraph ``get_shortest_path`` (epath; distance summed from the
  edge weights), rustworkx ``dijkstra_shortest_paths`` (distance summed along the path), scipy.sparse.csgraph
  ``dijkstra`` (one source, predecessors; path rebuilt).

Every library's distance is compared with silkway's on every query (relative tolerance 1e-9). Times
are wall clock per query, median over the query set, after one untimed warm-up query per library;
silkway's JIT warm-up and preprocessing are reported separately.
Prints a Markdown block for ``benchmarks/results/routing.md``.
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import sys
import time
from datetime import UTC, datetime

import numpy as np

EMBEDDED_QUERIES = [
    ("Xi'an", "Duisburg", {}),
    ("xian", "duisburg", {"avoid": ["RU"]}),
    ("Chongqing", "Duisburg", {"teu": 40, "objective": "cost"}),
    ("Yiwu", "Istanbul", {"avoid": ["ferry"]}),
    ("Lianyungang", "Budapest", {"objective": "co2e"}),
    ("Chengdu", "Tehran", {}),
    ("Khorgos", "Baku", {}),
    ("Shanghai", "Rotterdam", {"alternatives": 5}),
]


def bench_embedded(repeats: int) -> dict:
    from silkway import route
    from silkway.network import read_dataset
    from silkway.routing import Router

    load_before, steal0 = _load(), _steal()
    t0 = time.perf_counter()
    net = read_dataset()
    t1 = time.perf_counter()
    router = Router(net)
    t2 = time.perf_counter()
    out = {"load_ms": (t1 - t0) * 1e3, "build_ms": (t2 - t1) * 1e3, "load_before": load_before}
    calls = [("", router.route), ("api_", lambda o, d, **kw: route(net, o, d, **kw))]
    if "conditions" in inspect.signature(route).parameters:  # typical is the default since issue 12; free = the express answer
        calls.append(("api_free_", lambda o, d, **kw: route(net, o, d, conditions="free", **kw)))
    for prefix, call in calls:
        for o, d, kw in EMBEDDED_QUERIES:  # warm (imports, first allocations, the network's router, lognormal table)
            call(o, d, **kw)
        times, cpu = [], []
        for _ in range(repeats):
            for o, d, kw in EMBEDDED_QUERIES:
                s, c = time.perf_counter(), time.thread_time()
                call(o, d, **kw)
                cpu.append(time.thread_time() - c)
                times.append(time.perf_counter() - s)
        times_ms, cpu_ms = np.array(times) * 1e3, np.array(cpu) * 1e3
        out |= {prefix + "n": len(times), prefix + "p50_ms": float(np.percentile(times_ms, 50)),
                prefix + "p90_ms": float(np.percentile(times_ms, 90)), prefix + "max_ms": float(times_ms.max()),
                prefix + "cpu_p50_ms": float(np.percentile(cpu_ms, 50)), prefix + "cpu_p90_ms": float(np.percentile(cpu_ms, 90))}
    steal1 = _steal()
    out["steal_pct"] = 100.0 * (steal1[0] - steal0[0]) / max(steal1[1] - steal0[1], 1) if steal0 and steal1 else float("nan")
    out["load_after"] = _load()
    return out


def _steal() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs from /proc/stat."""
    try:
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[7], sum(fields)


def synthetic(n: int, k: int = 6, seed: int = 2026):
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    xy = np.column_stack([rng.uniform(0, 4000, n), rng.uniform(0, 2500, n)])
    _, nbr = cKDTree(xy).query(xy, k=k + 1)
    u = np.repeat(np.arange(n), k)
    v = nbr[:, 1:].ravel()
    a, b = np.minimum(u, v), np.maximum(u, v)
    pairs = np.unique(a * n + b)
    a, b = pairs // n, pairs % n
    straight = np.hypot(*(xy[a] - xy[b]).T)
    w = straight * rng.uniform(1.0, 1.4, len(a))
    return xy, a, b, w


def _largest_component(n, a, b):
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    _, labels = connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)
    big = np.argmax(np.bincount(labels))
    return np.flatnonzero(labels == big)


def bench_synthetic(n: int, n_queries: int, n_nx: int, seed: int) -> dict:
    from silkway.routing.p2p import FastGraph, sssp

    t0 = time.perf_counter()
    xy, a, b, w = synthetic(n, seed=seed)
    gen_s = time.perf_counter() - t0
    comp = _largest_component(n, a, b)
    rng = np.random.default_rng(seed + 1)
    queries = [tuple(int(x) for x in rng.choice(comp, 2, replace=False)) for _ in range(n_queries)]
    warm = tuple(int(x) for x in rng.choice(comp, 2, replace=False))
    res: dict = {"nodes": n, "links": len(a), "component": len(comp), "gen_s": gen_s, "queries": n_queries}

    t0 = time.perf_counter()
    tiny = FastGraph.build(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([1.0, 1.0, 1.0]), n_landmarks=2)
    tiny.searcher().shortest_path(0, 3)
    _plain(tiny, 0, 3)
    res["jit_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fg = FastGraph.build(n, a, b, w, xy=(xy[:, 0], xy[:, 1]), n_landmarks=16, seed=seed)
    res["prep_s"] = time.perf_counter() - t0
    sr = fg.searcher()
    settled = []

    def ours(s, t):
        d, _ = sr.shortest_path(s, t)
        settled.append(sr.settled)
        return d

    fns = {"silkway": ours, "plain": lambda s, t: _plain(fg, s, t), **dict(_peers(n, a, b, w))}
    dist, wall, cpu = _interleaved(fns, queries, warm, n_nx)
    res["settled_median"] = float(np.median(settled[1:]))
    for name in fns:
        res[name], res[name + "_cpu"] = np.array(wall[name]), np.array(cpu[name])
    ref_d = np.array(dist["silkway"])
    res["agree"] = {("plain numba dijkstra" if k == "plain" else k): bool(np.allclose(v, ref_d[: len(v)], rtol=1e-9, atol=0))
                    for k, v in dist.items() if k != "silkway"}
    ref = sssp(fg.indptr, fg.indices, fg.weights, queries[0][0])[queries[0][1]]
    res["agree"]["full sssp (first query)"] = bool(np.isclose(ref, ref_d[0], rtol=1e-12))
    return res


def _interleaved(fns, queries, warm, n_nx):
    """Each query is run by every library back to back (so load changes hit all of them alike), after one
    untimed warm-up query per library; wall clock and CPU time of the calling thread per query."""
    for fn in fns.values():
        fn(*warm)
    dist, wall, cpu = ({k: [] for k in fns} for _ in range(3))
    for i, (s, t) in enumerate(queries):
        for name, fn in fns.items():
            if name == "networkx" and i >= n_nx:
                continue
            w0, c0 = time.perf_counter(), time.thread_time()
            d = fn(s, t)
            cpu[name].append((time.thread_time() - c0) * 1e3)
            wall[name].append((time.perf_counter() - w0) * 1e3)
            dist[name].append(d)
    return dist, wall, cpu


def _plain(fg, s, t):
    from silkway.routing.p2p import _astar

    # the same kernel with no bound at all: zero landmarks, no geometry = Dijkstra with early exit
    g = fg
    n = g.n_nodes
    scratch = _plain.__dict__.setdefault("scratch", {})
    if scratch.get("n") != n:
        scratch.update(n=n, dist=np.empty(n), pred=np.empty(n, np.int64), h=np.empty(n), stamp=np.zeros(n, np.int64), qid=0,
                       hk=np.empty(g.indices.shape[0] + 1), hv=np.empty(g.indices.shape[0] + 1, np.int64), lm=np.zeros((n, 0)))
    scratch["qid"] += 1
    d, _ = _astar(g.indptr, g.indices, g.weights, scratch["lm"], g.x, g.y, False, s, t, scratch["dist"], scratch["pred"],
                  scratch["h"], scratch["stamp"], scratch["qid"], scratch["hk"], scratch["hv"])
    return d


def _peers(n, a, b, w):
    import igraph as ig
    import networkx as nx
    import rustworkx as rx
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    G = nx.Graph()
    G.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))

    def f_nx(s, t):
        d, _ = nx.bidirectional_dijkstra(G, s, t, weight="weight")
        return d

    gi = ig.Graph(n=n, edges=np.column_stack([a, b]).tolist())
    gi.es["weight"] = w.tolist()

    def f_ig(s, t):
        ep = gi.get_shortest_path(s, t, weights="weight", output="epath")
        return float(w[ep].sum())

    gr = rx.PyGraph()
    gr.add_nodes_from(range(n))
    gr.add_edges_from(list(zip(a.tolist(), b.tolist(), w.tolist(), strict=True)))

    def f_rx(s, t):
        path = list(rx.dijkstra_shortest_paths(gr, s, target=t, weight_fn=float)[t])
        return float(sum(gr.get_edge_data(path[i], path[i + 1]) for i in range(len(path) - 1)))

    csr = csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))

    def f_sp(s, t):
        dist, pred = dijkstra(csr, directed=True, indices=s, return_predecessors=True)
        v, path = t, [t]
        while v != s:
            v = pred[v]
            path.append(v)
        return float(dist[t])

    return [("networkx", f_nx), ("igraph", f_ig), ("rustworkx", f_rx), ("scipy", f_sp)]


def report(emb: dict | None, syn: dict | None, argv: list[str]) -> str:
    lines = [f"## Route planner (issue 3) — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
             f"Machine: {os.cpu_count()} cores, {_cpu()}, Python {platform.python_version()}, "
             f"shared and noisy (load average at the end {_load()}). Command: `.venv/bin/python benchmarks/bench_routing.py {' '.join(argv)}`".rstrip(), ""]
    if emb:
        lines += ["### Embedded dataset: full query (Pareto set + corridor alternatives + P90 from 1000 draws)", "",
                  f"{emb['n']} queries ({len(EMBEDDED_QUERIES)} OD/option mixes), router built once "
                  f"(dataset load {emb['load_ms']:.0f} ms, router build {emb['build_ms']:.1f} ms): "
                  f"wall clock **p50 {emb['p50_ms']:.2f} ms**, p90 {emb['p90_ms']:.2f} ms, max {emb['max_ms']:.2f} ms; "
                  f"CPU time of the querying thread p50 {emb['cpu_p50_ms']:.2f} ms, p90 {emb['cpu_p90_ms']:.2f} ms. "
                  f"Through the public API `silkway.route(net, ...)` (router kept on the network): wall clock "
                  f"**p50 {emb['api_p50_ms']:.2f} ms**, p90 {emb['api_p90_ms']:.2f} ms; CPU p50 {emb['api_cpu_p50_ms']:.2f} ms "
                  + (f"With `conditions=\"free\"` (no expected waits): p50 {emb['api_free_p50_ms']:.2f} ms wall, "
                     f"CPU p50 {emb['api_free_cpu_p50_ms']:.2f} ms. " if "api_free_p50_ms" in emb else "")
                  + f"(target p50 < 1 ms). Load average before {emb['load_before']}, after {emb['load_after']}; "
                  f"CPU steal during the run {emb['steal_pct']:.0f}% of all CPU time. "
                  "When the machine is shared, wall clock exceeds CPU time by the time the thread waited for a core.", ""]
    if syn:
        ours = float(np.median(syn["silkway"]))
        lines += [f"### Synthetic continental network: {syn['nodes']:,} nodes, {syn['links']:,} links "
                  f"(largest component {syn['component']:,}), {syn['queries']} random point-to-point queries", "",
                  f"silkway A*+ALT: numba JIT warm-up {syn['jit_s']:.2f} s (not in the query times), preprocessing "
                  f"(CSR + 16 landmark Dijkstras) {syn['prep_s']:.2f} s; median nodes settled per query "
                  f"{syn['settled_median']:,.0f}.", "",
                  "Queries are interleaved: each query runs in every library back to back, so load changes hit all alike. "
                  "Ratios are of medians over the same queries (networkx: its first queries only).", "",
                  "| library (call) | queries | median wall ms | mean wall ms | median CPU ms | speed-up, wall | speed-up, CPU | same distances |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        names = [("silkway", "silkway routing.p2p A* + landmarks"), ("plain", "plain numba binary-heap Dijkstra (early exit)"),
                 ("networkx", "networkx bidirectional_dijkstra"), ("igraph", "igraph get_shortest_path"),
                 ("rustworkx", "rustworkx dijkstra_shortest_paths"), ("scipy", "scipy.sparse.csgraph dijkstra")]
        for key, label in names:
            t, c = syn[key], syn[key + "_cpu"]
            n_q = len(t)
            rw = float(np.median(t)) / float(np.median(syn["silkway"][:n_q]))
            rc = float(np.median(c)) / float(np.median(syn["silkway_cpu"][:n_q]))
            agree = {"silkway": "reference", "plain": syn["agree"].get("plain numba dijkstra")}.get(key, syn["agree"].get(key))
            lines.append(f"| {label} | {n_q} | {np.median(t):.3f} | {np.mean(t):.3f} | {np.median(c):.3f} | "
                         f"{'—' if key == 'silkway' else f'{rw:.1f}×'} | {'—' if key == 'silkway' else f'{rc:.1f}×'} | {agree} |")
        lines += ["", f"silkway median {ours:.3f} ms/query. Full single-source Dijkstra agrees on the first query: "
                  f"{syn['agree']['full sssp (first query)']}."]
    return "\n".join(lines) + "\n"


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _load() -> str:
    try:
        return " / ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "n/a"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--nx-queries", type=int, default=30, help="networkx is slow: time it on the first N queries")
    ap.add_argument("--repeats", type=int, default=40, help="embedded: repetitions of the query mix")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--skip-embedded", action="store_true")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--json", action="store_true", help="embedded part only, its figures as one JSON line (bench_routing_ab.py)")
    args = ap.parse_args(argv)
    if args.json:
        import json

        print(json.dumps(bench_embedded(args.repeats)))
        return 0
    emb = None if args.skip_embedded else bench_embedded(args.repeats)
    syn = None if args.skip_synthetic else bench_synthetic(args.nodes, args.queries, args.nx_queries, args.seed)
    text = report(emb, syn, argv)
    print(text)
    ok = syn is None or all(syn["agree"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
