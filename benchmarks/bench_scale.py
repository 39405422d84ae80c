"""Scale table of the route planner (issue 13): synthetic datasets of 10k / 100k / 1M nodes.

    .venv/bin/python benchmarks/bench_scale.py                     # 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_scale.py --nodes 10000 100000 --queries 5
    .venv/bin/python benchmarks/bench_scale.py --nodes 100000 --subdivide 5 [--no-contract]   # chain-rich, as OSM

For each size: the dataset is written once by ``make_synthetic.py`` to $TMPDIR/silkway-synthetic-N-2026 (speeds,
electrification and so time, cost and CO2e differ per link: mixed criteria). Then

* the whole command, ``/usr/bin/time -v python -m silkway route --dataset D n0 nLAST --conditions free`` (opposite
  corners) (wall clock and peak memory), twice: the first run builds what the cache lacks (the validated dataset, then
  the compiled network and state graph of a big one: ``silkway.network.arraystore``), as a user's first command
  would; the second is every later command;
* in one process (set-up shared with ``bench_routing.py``: ``make_synthetic.synthetic_router``): the dataset load as
  ``silkway route`` loads it (the validated cache, built by the whole command above when absent), the router build, and ``Router.route`` (full query: exact Pareto set, the corridor
  alternatives (3), and median/P90 from 1,000 Monte Carlo draws) on ``--queries`` random origin-destination pairs,
  with the Pareto set's size and whether the ε-dominance cap was used.

Load averages are printed with every figure; quote quiet-machine figures only from a quiet run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _load() -> str:
    return " / ".join(open("/proc/loadavg").read().split()[:3])


def dataset(n: int, seed: int = 2026, subdivide: int = 1) -> Path:
    sys.path.insert(0, str(HERE))
    from make_synthetic import dataset as folder

    return folder(n, seed, subdivide)


def whole_command(folder: Path, a: str, b: str) -> dict:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "silkway", "route", "--dataset", str(folder), a, b, "--conditions", "free"]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.group(1).split(":")))) if wall else float("nan")
    return {"ok": p.returncode == 0, "wall_s": secs, "rss_mib": int(rss.group(1)) / 1024 if rss else float("nan"),
            "error": p.stderr.strip().splitlines()[-1] if p.returncode else ""}


def in_process(n: int, n_queries: int, seed: int, subdivide: int = 1, contract: bool = True, widen: int = 0) -> dict:
    sys.path.insert(0, str(HERE))
    from make_synthetic import synthetic_router
    from silkway.routing import search, stategraph

    if widen:  # this process's switch: ε doubles each time the labels double past this many (search.WIDEN_LABELS)
        search.WIDEN_LABELS = widen

    if not contract:  # this process's switch: the planner's state graph keeps every degree-2 chain
        stategraph.CONTRACT_MIN_NODES = sys.maxsize
    r, load_s, build_s, build_cpu_s = synthetic_router(n, subdivide=subdivide)
    rng = np.random.default_rng(seed)
    ids = r.graph.node_ids
    grid = [i for i, x in enumerate(ids) if x.startswith("n")]  # queries name grid nodes, not the way nodes of --subdivide
    r.route(ids[0], ids[1], samples=10, conditions=None)  # numba warm-up (its disk cache)
    wall, cpu, fronts, eps, final = [], [], [], 0, []
    for _ in range(n_queries):
        a, b = rng.choice(grid, 2, replace=False)
        w0, c0 = time.perf_counter(), time.process_time()
        res = r.route(ids[a], ids[b], samples=1000, alternatives=3)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        fronts.append(len(res.pareto))
        eps += "thinned by ε-dominance" in res.method
        m = re.search(r"ε-dominance \(ε = ([0-9.]+)\)", res.method)
        final.append(float(m.group(1)) if m else 0.0)
    return {"load_s": load_s, "build_s": build_s, "build_cpu_s": build_cpu_s, "wall_ms": np.array(wall) * 1e3,
            "cpu_ms": np.array(cpu) * 1e3, "front": fronts, "eps": eps, "final_eps": final, "nodes": len(ids), "links": r.graph.compiled.n_links,
            "arcs": len(r.graph.head)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-command", action="store_true", help="skip the /usr/bin/time -v run of the whole command")
    ap.add_argument("--subdivide", type=int, default=1, help="make_synthetic.py --subdivide: links cut into K pieces (chains)")
    ap.add_argument("--no-contract", action="store_true", help="in process: no contraction of degree-2 chains")
    ap.add_argument("--widen", type=int, default=0, help="in process: search.WIDEN_LABELS (default: as shipped)")
    args = ap.parse_args(argv)
    rows = []
    for n in args.nodes:
        folder = dataset(n, subdivide=args.subdivide)
        load0 = _load()
        with open(folder / "nodes.csv", "rb") as fh:
            count = sum(1 for line in fh if line.startswith(b"n")) - 1  # grid nodes n0…: the header and way nodes w… not
        cmd = None if args.skip_command else [whole_command(folder, "n0", f"n{count - 1}") for _ in range(2)]  # opposite corners
        ip = in_process(n, args.queries, args.seed, args.subdivide, not args.no_contract, args.widen)
        rows.append((n, cmd, ip, load0, _load()))
        print(f"done {n} (load {_load()})", file=sys.stderr, flush=True)
    print("| nodes / links / state arcs | `silkway route` whole command: first, later (wall, peak RSS) | load dataset (cache) | build router wall (CPU) | full query p50 / max "
          "wall (CPU p50) | Pareto routes (median, max) | ε cap used | load avg before → after |")
    print("|---|---|---|---|---|---|---|---|")
    for _n, cmd, ip, l0, l1 in rows:
        c = "—" if cmd is None else "; ".join(f"{x['wall_s']:.1f} s, {x['rss_mib']:.0f} MiB" if x["ok"] else f"failed: {x['error']}"
                                              for x in cmd)
        print(f"| {ip['nodes']:,} / {ip['links']:,} / {ip['arcs']:,} | {c} | {ip['load_s']:.2f} s | {ip['build_s']:.2f} s "
              f"({ip['build_cpu_s']:.2f} s) | "
              f"{np.median(ip['wall_ms']):.0f} / {ip['wall_ms'].max():.0f} ms ({np.median(ip['cpu_ms']):.0f} ms) | "
              f"{int(np.median(ip['front']))}, {max(ip['front'])} | {ip['eps']} of {len(ip['front'])} (final ε {min(ip['final_eps']):g}–{max(ip['final_eps']):g}) | {l0} → {l1} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
