"""Investment-planner throughput: portfolio evaluations per minute with 1 and 2 local Dask workers.

Run (not part of the test suite):

    PYTHONPATH=src .venv/bin/python benchmarks/bench_invest.py --days 60 --portfolios 8 --reps 3

Evaluates the same fixed portfolios (single projects of the eurasia catalogue, in file order) under
``examples/double-trade.yaml`` with common random numbers, with an in-memory store, on a fresh Dask
``LocalCluster`` of 1 and then 2 single-threaded worker processes (loopback). Each cluster is warmed up first
(2 evaluations per worker of doing nothing: numba's cache loads), then the portfolios are timed; start-up and
warm-up are printed separately.
Prints the load averages (``os.getloadavg``) before and after each measurement: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from silkway.invest.evaluate import EvalSpec, Evaluator, MemoryStore
from silkway.invest.model import EMPTY
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
    req = inv.InvestRequest(SCENARIO, 0, workers=workers, backend="dask")
    t0 = time.perf_counter()
    with inv.backend_for(req) as backend:
        ev = Evaluator(EvalSpec(applied, cat, days, seed), backend, MemoryStore())
        ev.kpis([EMPTY], 2 * workers)  # warm-up: every worker loads numba's cache (not timed below)
        t1 = time.perf_counter()
        ev.kpis(portfolios, reps)
        t2 = time.perf_counter()
    return ev.ran - 2 * workers, t2 - t1, t1 - t0


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
    for w in (1, 2):
        before = os.getloadavg()
        n, wall, warm = measure(w, a.days, a.portfolios, a.reps, a.seed + w)
        rates[w] = n / wall * 60
        print(f"| {w} | {n} | {wall:.1f} | {rates[w]:.1f} | {warm:.1f} | {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} | "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} |", flush=True)
    print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
