"""Study throughput: a 1,000-replication baseline year, 1 vs 2 local workers, and Dask vs local.

Run (not part of the test suite):

    .venv/bin/python benchmarks/bench_study.py                    # all three, R=1000 and R=40
    .venv/bin/python benchmarks/bench_study.py --big 200 --small 20   # quicker

Each measurement uses a fresh results store in a temporary folder, the real simulation engine and
the example ``examples/baseline-2023.yaml`` (365 days + 30 warm-up). It prints a Markdown block for
``benchmarks/results/studies.md``. The peer of the local process pool is Dask distributed on a
loopback ``LocalCluster`` with the same number of single-threaded worker processes.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from silkway.scenarios.backends import DaskBackend, LocalBackend
from silkway.services import studies as svc

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "examples" / "baseline-2023.yaml"


def timed_study(replications: int, backend, seed: int = 1) -> tuple[float, float]:
    """(wall seconds of the whole study incl. pool start-up, mean seconds per replication in the workers)."""
    spec = svc.make_spec([BASELINE], replications, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        run = svc.run(spec, store, backend)
        wall = time.perf_counter() - t0
        assert run.complete and run.ran == replications, run
        from silkway.scenarios.store import ResultsStore

        with ResultsStore(store, read_only=True) as s:
            per_rep = float(s.replications(spec.study_id)["wall_s"].mean())
    return wall, per_rep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", type=int, default=1000, help="replications of the big study (2 local workers)")
    ap.add_argument("--small", type=int, default=40, help="replications for the speed-up and Dask comparisons")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--alternate", type=int, default=0, metavar="N",
                    help="only: N replications local-2 / Dask-2 / local-2 / Dask-2 (alternating, to see drift in the load)")
    args = ap.parse_args()
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    lines = [f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
             f"Python {platform.python_version()}",
             f"- command: `.venv/bin/python benchmarks/bench_study.py {' '.join(sys.argv[1:])}`"]
    if args.alternate:
        alternate(args.alternate, lines)
        print("\n".join(lines))
        return
    one, per1 = timed_study(args.small, LocalBackend(1))
    two, per2 = timed_study(args.small, LocalBackend(2))
    lines.append(f"- {args.small} replications, local 1 worker: {one:.1f} s ({per1:.2f} s/replication in the worker)")
    lines.append(f"- {args.small} replications, local 2 workers: {two:.1f} s ({per2:.2f} s/replication) → speed-up {one / two:.2f}×")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True) as cl:
        dask, perd = timed_study(args.small, DaskBackend(cl.scheduler_address))
    lines.append(f"- {args.small} replications, Dask LocalCluster 2 workers × 1 thread: {dask:.1f} s ({perd:.2f} s/replication) "
                 f"→ Dask/local = {dask / two:.2f}")
    if not args.skip_big:
        big, perb = timed_study(args.big, LocalBackend(2))
        lines.append(f"- {args.big} replications of the baseline year, local 2 workers: {big:.1f} s = {big / 60:.1f} min "
                     f"({perb:.2f} s/replication in the worker)")
    lines.append(f"- load average (1/5/15 min) at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} "
                 "(the machine is shared with other jobs)")
    print("\n".join(lines))


def alternate(n: int, lines: list[str]) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True) as cl:
        for i in range(2):
            loc, perl = timed_study(n, LocalBackend(2), seed=10 + i)
            dsk, perd = timed_study(n, DaskBackend(cl.scheduler_address), seed=10 + i)
            lines.append(f"- round {i + 1}: {n} replications local 2 workers {loc:.1f} s ({perl:.2f} s/rep), "
                         f"Dask 2 workers {dsk:.1f} s ({perd:.2f} s/rep) → Dask/local = {dsk / loc:.2f}")


if __name__ == "__main__":
    main()
