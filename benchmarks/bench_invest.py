"""Investment-planner throughput: portfolio evaluations per minute with 1 and 2 local Dask workers.

Run (not part of the test suite):

    PYTHONPATH=src .venv/bin/python benchmarks/bench_invest.py --days 60 --portfolios 8 --reps 3

Evaluates the same fixed portfolios (single projects of the eurasia catalogue, in file order) under
``examples/double-trade.yaml`` with common random numbers, with an in-memory store, on a fresh Dask
``LocalCluster`` of 1 and then 2 single-threaded worker processes (loopback), and for reference in this process
without Dask (row "0"). Every process is warmed up first (a 1-day simulation on each worker through
``Client.run``: numba's cache loads), then the portfolios are timed; start-up and warm-up are printed separately.
Prints the load averages (``os.getloadavg``) before and after each measurement: the machine is shared.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from silkway.invest.evaluate import EvalSpec, Evaluator, MemoryStore
from silkway.scenarios.backends import DaskBackend, LocalBackend
from silkway.services import invest as inv
from silkway.services import studies as st

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "double-trade.yaml"


def measure(workers: int, days: int, n_portfolios: int, reps: int, seed: int) -> tuple[int, float, float]:
    """(evaluations timed, their wall seconds after warm-up, seconds of cluster start-up + warm-up)."""
    loaded = st.load(SCENARIO)
    applied = st.prepare(loaded).inputs.applied
    cat = inv.read_catalogue(loaded.scenario.dataset, applied.network)
    portfolios = [*(frozenset([i]) for i in cat.ids[:n_portfolios])]
    t0 = time.perf_counter()
    with _backend(workers, applied) as backend:
        ev = Evaluator(EvalSpec(applied, cat, days, seed), backend, MemoryStore())
        t1 = time.perf_counter()
        ev.kpis(portfolios, reps)
        t2 = time.perf_counter()
    return ev.ran, t2 - t1, t1 - t0


def _warm(applied: object) -> float:
    """Run a 1-day simulation in this process so numba's cache is loaded (on every Dask worker via Client.run)."""
    from silkway.simulation import simulate

    t0 = time.perf_counter()
    net, demand, options = applied  # type: ignore[misc]
    simulate(net, demand, days=1, seed=0, options=options)
    return time.perf_counter() - t0


@contextmanager
def _backend(workers: int, applied: object) -> Iterator[object]:
    """workers = 0: in this process (no Dask); else a Dask LocalCluster of that many single-threaded processes.
    Every process is warmed up first (numba's cache loaded): not part of the timed evaluations."""
    if workers == 0:
        _warm(applied)
        yield LocalBackend(1)
        return
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    try:
        with Client(cluster.scheduler_address) as client:
            client.run(_warm, applied)
        yield DaskBackend(cluster.scheduler_address)
    finally:
        cluster.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--portfolios", type=int, default=8)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; double-trade, {a.days} days, "
          f"{a.portfolios} portfolios x {a.reps} CRN replications")
    print("| workers | evaluations | wall s | evaluations/min | start-up + warm-up s | load before (1/5/15 min) | load after |")
    print("|---:|---:|---:|---:|---:|---|---|")
    rates = {}
    for w in (0, 1, 2):
        before = os.getloadavg()
        n, wall, warm = measure(w, a.days, a.portfolios, a.reps, a.seed + w)
        rates[w] = n / wall * 60
        print(f"| {w} | {n} | {wall:.1f} | {rates[w]:.1f} | {warm:.1f} | {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} | "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} |", flush=True)
    print(f"speed-up 1 -> 2 Dask workers: {rates[2] / rates[1]:.2f}x; in-process (0 = no Dask) vs 1 Dask worker: "
          f"{rates[0] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
