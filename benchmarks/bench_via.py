"""A query with and without a via point on a synthetic dataset (issue 13): the full query's wall time, and each
Pareto search it runs (the corridor rule's, then the one without the rule when the rule is relaxed) with its labels
and final ε; the lower-bound searches' times too. The product's own `Router.route`, its kernels timed by wrapping them.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_via.py --nodes 1000000 n0 n500000 n250000
    PYTHONPATH=src .venv/bin/python benchmarks/bench_via.py --nodes 1000000 n0 n996354 n500000

The dataset is written by ``make_synthetic.py`` when absent and loaded as ``silkway route`` loads it (the cache).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("origin")
    ap.add_argument("destination")
    ap.add_argument("via")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from make_synthetic import synthetic_router
    from silkway.routing import boundkernel, paretokernel

    r, *_ = synthetic_router(args.nodes)
    pareto, bounds = paretokernel.pareto, boundkernel.bounds

    def timed_pareto(*a):
        t = time.perf_counter()
        out = pareto(*a)
        print(f"  Pareto search {time.perf_counter() - t:.2f} s, {out[5]:,} labels, final ε {out[6]:g}", flush=True)
        return out

    def timed_bounds(*a):
        t = time.perf_counter()
        out = bounds(*a)
        print(f"  bound searches {time.perf_counter() - t:.2f} s", flush=True)
        return out

    paretokernel.pareto, boundkernel.bounds = timed_pareto, timed_bounds
    load = " / ".join(open("/proc/loadavg").read().split()[:3])
    print(f"{len(r.graph.node_ids):,} nodes, load {load}")
    for via in ((), (args.via,)):
        print(f"{args.origin} → {args.destination}" + (f" via {via[0]}" if via else ""))
        t = time.perf_counter()
        res = r.route(args.origin, args.destination, via=via, samples=1000, conditions=None)
        print(f"  full query {time.perf_counter() - t:.2f} s, {len(res.pareto)} Pareto route(s), corridor rule kept: "
              f"{res.constraints['corridor_rules']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
