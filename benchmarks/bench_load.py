"""First validation and later loads of synthetic datasets (issue 13, part 2), each command under /usr/bin/time -v.

    python benchmarks/bench_load.py --nodes 10000 100000 1000000 [--work /tmp/silkway-bench-load]

For each size: generate the dataset (benchmarks/make_synthetic.py, once), empty a private cache folder
(SILKWAY_CACHE_DIR), then run `silkway validate DIR` twice: the first reads, parses and validates the CSVs and
writes the cache, the second loads the cache. Also times the load alone in-process (``read_dated_dataset`` with the
cache, no CLI start-up). Prints a Markdown table with wall time, CPU time (user + sys), peak RSS and the load
averages before each run, and says whether the machine was quiet (1-minute load average under 1.5 at the end).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str]) -> dict[str, str]:
    load = os.getloadavg()
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", out.stderr).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    user = float(re.search(r"User time \(seconds\): (\S+)", out.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): (\S+)", out.stderr).group(1))
    return {"wall": wall, "cpu": f"{user + system:.1f} s", "rss": f"{rss / 1024:,.0f} MiB", "load": " ".join(f"{x:.1f}" for x in load),
            "stdout": out.stdout.strip()}


LOAD_ONLY = ("import time, sys; from pathlib import Path; from silkway.network.cache import DatasetCache; "
             "from silkway.network.dataset import read_dated_dataset; c = DatasetCache(Path(sys.argv[2])); "
             "t = time.perf_counter(); net = read_dated_dataset(sys.argv[1], cache=c); dt = time.perf_counter() - t; "
             "assert c.hits == 1, c; print(f'{dt:.2f} s, {len(net.nodes)} nodes, {len(net.links)} links')")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/silkway-bench-load"))
    args = ap.parse_args()
    py = sys.executable
    rows = []
    for n in args.nodes:
        folder = args.work / f"syn{n}"
        if not (folder / "manifest.toml").exists():
            subprocess.run([py, str(ROOT / "benchmarks" / "make_synthetic.py"), "--nodes", str(n), "--out", str(folder)], check=True)
        cache = args.work / f"cache{n}"
        shutil.rmtree(cache, ignore_errors=True)
        env = {**os.environ, "SILKWAY_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT / "src")}
        first = timed([py, "-m", "silkway", "validate", str(folder)], env)
        later = timed([py, "-m", "silkway", "validate", str(folder)], env)
        load = timed([py, "-c", LOAD_ONLY, str(folder), str(cache)], env)
        found = re.search(r"(\d+) nodes, (\d+) links", " ".join(first["stdout"].split()))
        size = f"{int(found.group(1)):,} / {int(found.group(2)):,}"
        for what, r in (("first validation (`silkway validate`, no cache)", first), ("later command (`silkway validate`, cache)", later),
                        ("load alone in-process (`read_dated_dataset`, cache)", load)):
            extra = f" → {r['stdout']}" if r is load else ""
            rows.append(f"| {size} | {what} | {r['wall']}{extra} | {r['cpu']} | {r['rss']} | {r['load']} |")
        print(rows[-3], rows[-2], rows[-1], sep="\n", flush=True)
    print("\n| nodes / links | command | wall | CPU (user+sys) | peak RSS | load avg before (1/5/15 min) |\n|---|---|---|---|---|---|")
    print("\n".join(rows))
    load = os.getloadavg()
    quiet = "a quiet machine" if load[0] < 1.5 else f"NOT a quiet machine ({os.cpu_count()} cores): quote CPU time, not wall clock"
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in load)} — {quiet}")


if __name__ == "__main__":
    main()
