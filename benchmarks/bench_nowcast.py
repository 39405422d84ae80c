"""Nowcast benchmarks (issue 17, docs/nowcast.md): forecast speed and the full backtest. Prints Markdown; records load
averages and CPU time next to wall time (the machine is shared).

    .venv/bin/python benchmarks/bench_nowcast.py speed [--members 100] [--horizon 30] [--workers 2]
    .venv/bin/python benchmarks/bench_nowcast.py backtest [--members 30] [--seeds 0 1 2] [--workers 2] [--csv FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def md(df, index: bool = True) -> str:
    """A Markdown table (pandas' to_markdown needs tabulate, not installed)."""
    d = df.reset_index() if index else df
    rows = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in r] for r in d.itertuples(index=False)]
    head = [str(c) for c in d.columns]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows])


def speed(members: int, horizon_days: float, workers: int) -> None:
    """A forecast of the embedded network from the shipped example observations (state at 2023-02-15 00:00 UTC)."""
    from silkway.services.nowcast import run_nowcast

    run_nowcast(ROOT / "examples" / "observations.csv", "2023-02-15T00:00Z", horizon_days=horizon_days, members=2)  # warm caches
    before = load()
    c0, t0 = time.process_time(), time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = run_nowcast(ROOT / "examples" / "observations.csv", "2023-02-15T00:00Z", horizon_days=horizon_days, members=members,
                      workers=workers)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0 + (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)  # + the worker processes
    print(f"| {members} members × {horizon_days:g} days, {workers} worker(s), {len(run.eta)} trains in the system | {wall:.1f} s wall | {cpu:.1f} s CPU "
          f"| {wall / members * 1000:.0f} ms per member | load {before} → {load()} |")


def backtest(members: int, seeds: list[int], workers: int, csv: str | None) -> None:
    import pandas as pd

    from silkway.nowcast.backtest import backtest as run
    from silkway.services.nowcast import static_planner
    from silkway.services.simulation import load_inputs
    from silkway.simulation.options import SimOptions

    net, demand = load_inputs()

    frames = []
    for seed in seeds:
        before, t0 = load(), time.perf_counter()
        s = run(net, demand, SimOptions(warmup_days=10), planner=static_planner(net), seed=seed, members=members, workers=workers)  # as services.run_backtest
        t = s.table()
        t["seed"] = seed
        frames.append(t)
        print(f"seed {seed}: {time.perf_counter() - t0:.0f} s wall, load {before} → {load()}", file=sys.stderr)
    t = pd.concat(frames)
    if csv:
        t.to_csv(csv, index=False)
    print(md(t, index=False))
    g = t.groupby("method")
    w = g["n_trains"].sum()
    summary = pd.DataFrame({"trains": w})
    for col in ("eta_mae_h", "coverage_p10_p90", "coverage_linear", "crps_h", "clearance_mae_h"):
        summary[col] = g.apply(lambda d, c=col: (d[c] * d["n_trains"]).sum() / d["n_trains"].sum() if d[c].notna().all() else float("nan"),
                               include_groups=False)
    print()
    print(md(summary))
    p, a = summary.loc["planner", "eta_mae_h"], summary.loc["assimilated", "eta_mae_h"]
    print(f"\nETA MAE: assimilated {a:.1f} h vs planner {p:.1f} h = {100 * (1 - a / p):.0f}% lower (target ≥ 30%); "
          f"coverage {100 * summary.loc['assimilated', 'coverage_p10_p90']:.0f}% (nominal 80%)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("part", choices=("speed", "backtest"))
    ap.add_argument("--members", type=int, default=None)
    ap.add_argument("--horizon", type=float, default=30.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--csv", default=None, help="backtest: also write the per-forecast scores here")
    a = ap.parse_args()
    print(f"cores {os.cpu_count()}, load at start {load()}")
    if a.part == "speed":
        speed(a.members or 100, a.horizon, a.workers)
    else:
        backtest(a.members or 30, a.seeds, a.workers, a.csv)


if __name__ == "__main__":
    main()
