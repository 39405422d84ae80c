"""The router's build alone at 10k / 100k / 1M nodes (issue 13): load from the dataset cache, ``Router(net)`` with the
full graph's search arrays (``make_synthetic.synthetic_router``), and the first place-name look-up; one process per
size, so each peak RSS is that size's own.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_build.py                  # 10k, 100k, 1M
    PYTHONPATH=src .venv/bin/python benchmarks/bench_build.py --nodes 100000

The dataset of each size is written once by ``make_synthetic.py`` and validated into the cache by the first run (run
twice for later-command figures). From 50,000 links on, the first run also keeps the compiled network, state graph and
region words in the cache entry (``silkway.network.arraystore``) and later runs load them; ``--build`` builds them
afresh every time (nothing stored or loaded), the first command's work. Load averages are printed with every row.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load() -> str:
    return " / ".join(open("/proc/loadavg").read().split()[:3])


def one(n: int, build: bool) -> dict:
    sys.path.insert(0, str(HERE))
    from make_synthetic import synthetic_router
    from silkway.network import arraystore

    if build:  # this process's switch: no network is big enough to store or load its arrays
        arraystore.MIN_LINKS = sys.maxsize

    r, load_s, build_s, build_cpu_s = synthetic_router(n)
    w0, c0 = time.perf_counter(), time.process_time()
    r.resolve("n0")
    sk = r.graph.skeleton
    return {"nodes": r.graph.compiled.n_nodes, "arcs": len(r.graph.head), "skeleton_arcs": 0 if sk is None else len(sk.arrays.head),
            "load_s": load_s, "build_s": build_s, "build_cpu_s": build_cpu_s, "name_s": time.perf_counter() - w0,
            "name_cpu_s": time.process_time() - c0, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--build", action="store_true", help="build the arrays afresh, as a first command (none stored or loaded)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process of one size
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.build)))
        return 0
    what = "built afresh" if args.build else "as a later command"
    print(f"| nodes / state arcs (skeleton) | load (cache) | router {what}: wall (CPU) | first name look-up wall (CPU) | peak RSS | load avg before → after |")
    print("|---|---|---|---|---|---|")
    for n in args.nodes:
        before = _load()
        p = subprocess.run([sys.executable, __file__, "--one", str(n), *(["--build"] if args.build else [])], capture_output=True, text=True, env=os.environ, check=True)
        r = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"| {r['nodes']:,} / {r['arcs']:,} ({r['skeleton_arcs']:,}) | {r['load_s']:.2f} s | {r['build_s']:.2f} s ({r['build_cpu_s']:.2f} s) | "
              f"{r['name_s']:.2f} s ({r['name_cpu_s']:.2f} s) | {r['rss_mib']:,.0f} MiB | {before} → {_load()} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
