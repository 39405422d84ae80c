"""Before/after of the full embedded route query (bench_routing.py's embedded part), interleaved at the same load.

Run (from the repository root, ideally in a quiet window):

    .venv/bin/python benchmarks/bench_routing_ab.py --base 83a4457 --rounds 4 --repeats 20

``--base`` is a commit: its ``src`` is extracted with ``git archive`` into a temporary folder (removed at the end).
Each round runs ``bench_routing.py --json`` once on the base and once on the working tree's ``src`` (alternating which
goes first), each in a fresh process, and records the load average before each run. Prints a Markdown table: p50 CPU
and wall per call style (``Router.route`` on a reused router; ``silkway.route(net, …)`` typical; the same free), per
run, and the medians over the rounds; and a second table of each query's least CPU over the repeats, averaged over
the queries (less inflated than the p50 on a busy machine; a base without that figure shows "—").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STYLES = (("", "Router.route, router reused"), ("api_", "silkway.route(net, …), typical"), ("api_free_", "silkway.route(net, …), free"))


def _run(src: Path, repeats: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_routing.py"), "--json", "--repeats", str(repeats)],
                         env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="the commit to compare with (its src)")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="silkway-ab-"))
    try:
        archive = subprocess.run(["git", "archive", args.base, "src"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for r in range(args.rounds):
            order = [("before", tmp / "src"), ("after", ROOT / "src")]
            for name, src in order if r % 2 == 0 else order[::-1]:
                runs[name].append(_run(src, args.repeats))
                print(f"round {r + 1} {name}: load {runs[name][-1]['load_before']}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"| p50 per call, CPU / wall (ms) | before ({args.base}) | after (working tree) |")
    print("|---|---|---|")
    for prefix, label in STYLES:
        cells = []
        for name in ("before", "after"):
            got = [x for x in runs[name] if prefix + "cpu_p50_ms" in x]
            if not got:
                cells.append("—")
                continue
            cpu = [x[prefix + "cpu_p50_ms"] for x in got]
            wall = [x[prefix + "p50_ms"] for x in got]
            cells.append(f"{np.median(cpu):.2f} / {np.median(wall):.2f} (runs: {', '.join(f'{c:.2f}' for c in cpu)})")
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    print(f"\n| mean over the queries of each query's least CPU (ms) | before ({args.base}) | after (working tree) |")
    print("|---|---|---|")
    for prefix, label in STYLES:
        cells = []
        for name in ("before", "after"):
            got = [x[prefix + "cpu_min_ms"] for x in runs[name] if prefix + "cpu_min_ms" in x]
            cells.append(f"{np.median(got):.3f} (runs: {', '.join(f'{c:.3f}' for c in got)})" if got else "—")
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    loads = [x["load_before"] for name in runs for x in runs[name]]
    print(f"\nload averages before the runs: {'; '.join(str(x) for x in loads)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
