"""What the degree-2 contraction (``silkway.routing.contract``) removes and what it saves (issue 13).

    .venv/bin/python benchmarks/bench_contract.py                                  # 10k and 100k, grid and chain-rich
    .venv/bin/python benchmarks/bench_contract.py --nodes 10000 --subdivide 1 5 --queries 5

Per synthetic dataset (``make_synthetic.py``; ``--subdivide K`` cuts every link into K pieces on average, as OSM ways):
network nodes / links and the planner's state arcs before and after contraction, the state graph's build time
without contraction (with its search arrays) and with it (and the skeleton's own build), and on ``--queries`` random pairs of skeleton nodes (places and junctions: a
query naming a node inside a chain runs on the full graph) the full query (``Router.route``: Pareto set, 3
alternatives, 1,000 draws) and the Pareto search alone, without and with, and whether the two answers are equal
(Pareto set, and the displayed figures of every option). Load averages are printed with every row.
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


def _router(net, contract: bool):
    from silkway.routing import Router, stategraph

    saved = stategraph.CONTRACT_MIN_NODES
    stategraph.CONTRACT_MIN_NODES = 0 if contract else sys.maxsize  # this benchmark's switch, put back at once
    try:
        t0 = time.perf_counter()
        r = Router(net)
        return r, time.perf_counter() - t0
    finally:
        stategraph.CONTRACT_MIN_NODES = saved


def _figures(res) -> list[tuple]:
    return [(o.corridor, o.node_ids, round(o.days_median, 9), round(o.days_p90, 9), round(o.cost_usd, 6), round(o.co2e_kg, 6))
            for o in (*res.options, *res.pareto)]


def one(n: int, subdivide: int, n_queries: int, seed: int) -> dict:
    sys.path.insert(0, str(HERE))
    from make_synthetic import dataset
    from silkway.routing import contract
    from silkway.routing.search import Query, pareto_front
    from silkway.routing.stategraph import StateGraph
    from silkway.services.network import load

    net = load(dataset(n, 2026, subdivide))
    full, _ = _router(net, False)  # the first build also pays for the compiled network and the records (shared)
    skel, _ = _router(net, True)
    t0 = time.perf_counter()
    StateGraph(net, contract_chains=False).arrays()  # the full graph's search arrays (also the skeleton's fallback)
    build_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    StateGraph(net, contract_chains=True)
    build_skel = time.perf_counter() - t0
    t0 = time.perf_counter()
    sk = contract.build(skel.graph)
    sk_s = time.perf_counter() - t0
    assert sk is not None
    cn = skel.graph.compiled
    ids = cn.node_ids
    places = np.flatnonzero(~sk.inside)
    rng = np.random.default_rng(seed)
    if n_queries:  # numba warm-up (its disk cache)
        full.route(ids[places[0]], ids[places[1]], samples=10)
        skel.route(ids[places[0]], ids[places[1]], samples=10)
    rows = {"full": [], "skel": [], "pf_full": [], "pf_skel": []}
    same = same_front = 0
    ok = np.ones(len(skel.graph.head), dtype=np.bool_)
    for _ in range(n_queries):
        a, b = (int(x) for x in rng.choice(places, 2, replace=False))
        answers = []
        for key, r in (("full", full), ("skel", skel)):
            t0 = time.perf_counter()
            answers.append(r.route(ids[a], ids[b], samples=1000, alternatives=3))
            rows[key].append(time.perf_counter() - t0)
        same += _figures(answers[0]) == _figures(answers[1])
        fronts = []
        for key, g in (("pf_full", full.graph), ("pf_skel", skel.graph)):
            t0 = time.perf_counter()
            fronts.append(pareto_front(g, Query(a, b, 0.0), ok, full.regions if g is full.graph else skel.regions).paths)
            rows[key].append(time.perf_counter() - t0)
        same_front += fronts[0] == fronts[1]
    chain_arcs = len(sk.mptr) - 1
    return {"nodes": cn.n_nodes, "links": cn.n_links, "sk_nodes": sk.n_nodes, "sk_links": cn.n_links - sk.chain_links + sk.n_chains,
            "arcs": len(skel.graph.head), "sk_arcs": len(sk.arrays.head), "chain_arcs": chain_arcs, "build_full": build_full,
            "build_skel": build_skel, "sk_s": sk_s, "same": same, "same_front": same_front, "n": n_queries,
            **{k: np.array(v) * 1e3 for k, v in rows.items()}}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--subdivide", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--queries", type=int, default=10, help="0: sizes and build times only")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    print("| dataset | nodes → skeleton | links → skeleton | state arcs → skeleton | state graph build without (+ its arrays) / with (skeleton alone) "
          "| full query p50 without → with | Pareto search p50 without → with | same answers | load avg before → after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.nodes:
        for k in args.subdivide:
            l0 = _load()
            r = one(n, k, args.queries, args.seed)
            q = (f"{np.median(r['full']):.0f} → {np.median(r['skel']):.0f} ms | {np.median(r['pf_full']):.1f} → "
                 f"{np.median(r['pf_skel']):.1f} ms | options {r['same']}/{r['n']}, Pareto paths {r['same_front']}/{r['n']}"
                 if r["n"] else "— | — | —")
            print(f"| {n:,} nodes, subdivide {k} | {r['nodes']:,} → {r['sk_nodes']:,} | {r['links']:,} → {r['sk_links']:,} | "
                  f"{r['arcs']:,} → {r['sk_arcs']:,} | {r['build_full']:.2f} / {r['build_skel']:.2f} s ({r['sk_s']:.2f} s) | "
                  f"{q} | {l0} → {_load()} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
