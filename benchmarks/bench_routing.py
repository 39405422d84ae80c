"""Route-planner benchmarks (not part of the test suite).

Run:

    .venv/bin/python benchmarks/bench_routing.py                 # both parts, full size
    .venv/bin/python benchmarks/bench_routing.py --nodes 20000   # quicker synthetic graph

Part 1, embedded dataset: latency of a full query (Pareto set + corridor alternatives + Monte Carlo P90, 1000
draws) over a fixed mix of origin/destination pairs: ``Router.route`` on a router built once (free conditions), and the
public ``silkway.route(net, ...)`` (which keeps the router on the network: built on its first call) with typical
conditions, with free ones, and with typical ones reading the legs of every returned option (legs are built when
first read). Every query is computed: nothing caches answers. Also reported: the
load average before and after, and the CPU steal share of the run (a VM whose host is busy loses CPU time that
the load average does not show).

Part 2, a synthetic dataset in silkway's own format (``benchmarks/make_synthetic.py --nodes N``, seed 2026, written
once to $TMPDIR/silkway-synthetic-N-2026), loaded and compiled into the planner's state graph. Single-criterion
queries between random node pairs through the planner's own compiled search (``routing.search.best_path``, the code
``silkway route`` runs), on time (symmetric) and on a cost made asymmetric per arc, against the peers on the same
directed state graph and queries: networkx ``bidirectional_dijkstra``, igraph ``get_shortest_path`` (epath;
distance summed from the edge weights), rustworkx ``dijkstra_shortest_paths`` (distance summed along the path),
scipy.sparse.csgraph ``dijkstra`` (one source, predecessors; path rebuilt).

Every library's distance is compared with silkway's on every query (relative tolerance 1e-9). Times
are per query, median over the query set, after one untimed warm-up query per library; loading and the router
build are reported separately. The full route query at scale is ``benchmarks/bench_scale.py``.
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

    def with_legs(o, d, **kw):  # the legs are built when first read (RouteOption.legs): here every option's are read
        res = route(net, o, d, **kw)
        return [opt.legs for opt in (*res.options, *res.pareto)]

    calls.append(("api_legs_", with_legs))
    for prefix, call in calls:
        for o, d, kw in EMBEDDED_QUERIES:  # warm (imports, first allocations, the network's router, lognormal table)
            call(o, d, **kw)
        times, cpu = [], []
        per_query: dict[int, list[float]] = {}
        for _ in range(repeats):
            for i, (o, d, kw) in enumerate(EMBEDDED_QUERIES):
                s, c = time.perf_counter(), time.thread_time()
                call(o, d, **kw)
                cpu.append(time.thread_time() - c)
                times.append(time.perf_counter() - s)
                per_query.setdefault(i, []).append(cpu[-1] * 1e3)
        out[prefix + "per_query_cpu_p50_ms"] = [float(np.median(per_query[i])) for i in range(len(EMBEDDED_QUERIES))]
        # the least CPU each query took, averaged over the queries: what a query costs when nothing else disturbs it
        # (a busy machine inflates the median; the minimum over repeats much less)
        out[prefix + "cpu_min_ms"] = float(np.mean([min(per_query[i]) for i in range(len(EMBEDDED_QUERIES))]))
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


def synthetic_router(n: int, seed: int = 2026):
    """The planner's router on a dataset written by ``benchmarks/make_synthetic.py`` (kept in /tmp between runs)."""
    from make_synthetic import synthetic_router as build

    router, load_s, build_s, _cpu_s = build(n, seed)
    return router, load_s, build_s


def peer_graph(g, weight: np.ndarray):
    """The router's state graph as a directed edge list for the peers, plus one sink vertex per node (a zero arc from
    each of its states), so every library answers the same question: least weight from the origin's start state to
    any state of the destination."""
    from silkway.routing.stategraph import SPN

    n_states = g.n_states
    n_nodes = n_states // SPN
    used = np.unique(np.concatenate([g.arrays().head, g.arrays().tail]))
    a = np.concatenate([g.arrays().tail, used])
    b = np.concatenate([g.arrays().head, n_states + used // SPN])
    w = np.concatenate([weight, np.zeros(len(used))])
    order = np.lexsort((w, b, a))  # parallel arcs (two links joining the same nodes): keep the least weight of each
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return n_states + n_nodes, a[first], b[first], w[first]


def bench_synthetic(n: int, n_queries: int, n_nx: int, seed: int) -> dict:
    """Single-criterion queries through the planner's own compiled search (:func:`silkway.routing.search.best_path`,
    the search ``silkway route`` runs for its alternatives) against the peers on the same state graph: time
    (symmetric but for border formalities) and a cost made asymmetric (each arc's cost times its own U(0.5, 1.5))."""
    from dataclasses import replace

    from silkway.routing.search import Query, best_path
    from silkway.routing.stategraph import SPN

    t0 = time.perf_counter()
    router, load_s, build_s = synthetic_router(n, seed)
    g = router.graph
    ar = g.arrays()
    ok = np.ones(len(ar.head), dtype=np.bool_)
    rng = np.random.default_rng(seed + 1)
    n_nodes = len(g.node_ids)
    queries = [tuple(int(x) for x in rng.choice(n_nodes, 2, replace=False)) for _ in range(n_queries)]
    warm = tuple(int(x) for x in rng.choice(n_nodes, 2, replace=False))
    res: dict = {"nodes": n_nodes, "links": len(g.net.links), "states": g.n_states, "arcs": len(ar.head), "queries": n_queries,
                 "load_s": load_s, "build_s": build_s}
    asym = ar.cost * rng.uniform(0.5, 1.5, len(ar.head))
    arrays = {"symmetric": ar, "asymmetric": replace(ar, cost=asym)}
    cost0, skeleton0 = g.cost, g.skeleton
    for label, objective, weight in (("symmetric", 0, ar.fixed_h), ("asymmetric", 1, asym)):
        g._arrays = arrays[label]
        g.bounds_cache.clear()
        if skeleton0 is not None:  # the planner searches the contracted skeleton: its chain sums from this cost too
            from silkway.routing import contract

            g.cost = arrays[label].cost
            g.skeleton = contract.build(g)
        start = 1  # rail1520, nothing cleared: the only platform of the synthetic network

        def ours(s, t, objective=objective):
            p = best_path(g, Query(s, t, 0.0), ok, objective)
            return (p.arrival_h, p.cost_usd_per_teu)[objective]

        fns = {"silkway": ours, **dict(_peers(*peer_graph(g, weight)))}
        qs = [(o * SPN + 2 * start, n_nodes * SPN + d, o, d) for o, d in queries]
        wq = (warm[0] * SPN + 2 * start, n_nodes * SPN + warm[1], *warm)
        dist, wall, cpu = _interleaved(fns, qs, wq, n_nx)
        for name in fns:
            res[(label, name)], res[(label, name + "_cpu")] = np.array(wall[name]), np.array(cpu[name])
        ref_d = np.array(dist["silkway"])
        res[(label, "agree")] = {k: bool(np.allclose(v, ref_d[: len(v)], rtol=1e-9, atol=1e-9)) for k, v in dist.items() if k != "silkway"}
    g._arrays, g.cost, g.skeleton = ar, cost0, skeleton0
    g.bounds_cache.clear()
    res["total_s"] = time.perf_counter() - t0
    return res


def _interleaved(fns, queries, warm, n_nx):
    """Each query is run by every library back to back (so load changes hit all of them alike), after one
    untimed warm-up query per library; wall clock and CPU time of the calling thread per query. A query is
    (start state, sink vertex, origin node, destination node): the planner takes nodes, the peers vertices."""
    for name, fn in fns.items():
        fn(*(warm[2:] if name == "silkway" else warm[:2]))
    dist, wall, cpu = ({k: [] for k in fns} for _ in range(3))
    for i, q in enumerate(queries):
        for name, fn in fns.items():
            if name == "networkx" and i >= n_nx:
                continue
            w0, c0 = time.perf_counter(), time.thread_time()
            d = fn(*(q[2:] if name == "silkway" else q[:2]))
            cpu[name].append((time.thread_time() - c0) * 1e3)
            wall[name].append((time.perf_counter() - w0) * 1e3)
            dist[name].append(d)
    return dist, wall, cpu


def _peers(n, a, b, w):
    import igraph as ig
    import networkx as nx
    import rustworkx as rx
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))

    def f_nx(s, t):
        d, _ = nx.bidirectional_dijkstra(G, s, t, weight="weight")
        return d

    gi = ig.Graph(n=n, edges=np.column_stack([a, b]).tolist(), directed=True)
    gi.es["weight"] = w.tolist()

    def f_ig(s, t):
        ep = gi.get_shortest_path(s, t, weights="weight", output="epath")
        return float(w[ep].sum())

    gr = rx.PyDiGraph()
    gr.add_nodes_from(range(n))
    gr.add_edges_from(list(zip(a.tolist(), b.tolist(), w.tolist(), strict=True)))

    def f_rx(s, t):
        path = list(rx.dijkstra_shortest_paths(gr, s, target=t, weight_fn=float)[t])
        return float(sum(gr.get_edge_data(path[i], path[i + 1]) for i in range(len(path) - 1)))

    csr = csr_matrix((w + 1e-300, (a, b)), shape=(n, n))  # + tiny: scipy drops explicit zeros

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
                  + f"Typical, reading the legs of every returned option: p50 {emb['api_legs_p50_ms']:.2f} ms wall, "
                  f"CPU p50 {emb['api_legs_cpu_p50_ms']:.2f} ms "
                  + f"(target p50 < 1 ms). Load average before {emb['load_before']}, after {emb['load_after']}; "
                  f"CPU steal during the run {emb['steal_pct']:.0f}% of all CPU time. "
                  "When the machine is shared, wall clock exceeds CPU time by the time the thread waited for a core.", "",
                  "Per query, `Router.route`, CPU p50 ms: " + "; ".join(
                      f"{o} → {d}{' ' + str(kw) if kw else ''}: {t:.2f}"
                      for (o, d, kw), t in zip(EMBEDDED_QUERIES, emb["per_query_cpu_p50_ms"], strict=True)), ""]
    if syn:
        lines += [f"### Synthetic dataset (benchmarks/make_synthetic.py): {syn['nodes']:,} nodes, {syn['links']:,} links; state "
                  f"graph {syn['states']:,} states, {syn['arcs']:,} arcs; {syn['queries']} random origin-destination queries", "",
                  f"Dataset load {syn['load_s']:.1f} s, router build (state graph + arrays) {syn['build_s']:.1f} s (not in the "
                  "query times). silkway = the planner's compiled single-criterion search (`routing.search.best_path`, the "
                  "search `silkway route` runs for its alternatives); the peers run on the same state graph (one sink vertex "
                  "per node joined to its states), the same queries, interleaved. Ratios are of medians over the same queries "
                  "(networkx: its first queries only).", ""]
        for label, what in (("symmetric", "time (hours; symmetric but for border formalities)"),
                            ("asymmetric", "cost with each arc times its own U(0.5, 1.5): asymmetric")):
            lines += [f"**{what}**", "", "| library (call) | queries | median wall ms | median CPU ms | ratio wall | ratio CPU | same distances |",
                      "|---|---:|---:|---:|---:|---:|---|"]
            names = [("silkway", "silkway planner best_path (numba)"), ("networkx", "networkx bidirectional_dijkstra"),
                     ("igraph", "igraph get_shortest_path"), ("rustworkx", "rustworkx dijkstra_shortest_paths"),
                     ("scipy", "scipy.sparse.csgraph dijkstra")]
            ref_w, ref_c = syn[(label, "silkway")], syn[(label, "silkway_cpu")]
            for key, name in names:
                t, c = syn[(label, key)], syn[(label, key + "_cpu")]
                n_q = len(t)
                rw = float(np.median(t)) / float(np.median(ref_w[:n_q]))
                rc = float(np.median(c)) / float(np.median(ref_c[:n_q]))
                agree = "reference" if key == "silkway" else syn[(label, "agree")][key]
                lines.append(f"| {name} | {n_q} | {np.median(t):.3f} | {np.median(c):.3f} | "
                             f"{'—' if key == 'silkway' else f'{rw:.1f}×'} | {'—' if key == 'silkway' else f'{rc:.1f}×'} | {agree} |")
            lines.append("")
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
    ok = syn is None or all(all(v.values()) for k, v in syn.items() if isinstance(k, tuple) and k[1] == "agree")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
