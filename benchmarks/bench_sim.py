"""Capacity simulation benchmarks (not part of the test suite).

    .venv/bin/python benchmarks/bench_sim.py            # all measurements
    .venv/bin/python benchmarks/bench_sim.py --quick    # fewer seeds

1. Peer: the embedded 2023 scenario (365 days + 30 warm-up) run by silkway's compiled event loop and by
   the same model written process-style with SimPy (benchmarks/sim_simpy_peer.py), on identical inputs
   (plan, arrivals, closure windows). Throughput = model events (container arrivals + heap events of the
   kernel) per second of the event loop, measured in the same run; KPIs of both with their seed spread.
2. Scale: a simulated year at twice the 2023 demand, end to end (``simulate``: plan, arrivals, event
   loop, DataFrames), in a fresh process after JIT warm-up, with its peak memory (ru_maxrss).
3. JIT warm-up: first ``simulate`` in a fresh process with an empty numba cache, and with a warm cache.
Prints a Markdown block for benchmarks/results/simulation.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

KPIS = ("trains_border_horgos", "trains_border_alashankou", "trans_caspian_teu", "delivered_teu")


def silkway_run(net, demand, seed: int):
    from silkway.simulation import SimOptions
    from silkway.simulation.collect import collect
    from silkway.simulation.engine import prepare, run
    from silkway.simulation.plan import build

    options = SimOptions()
    b, routes = build(net, demand, options)
    prep = prepare(b, routes, demand, options, days=365, seed=seed, closures=net.closures)
    t0, c0 = time.perf_counter(), time.process_time()
    run(prep)
    loop_s, loop_cpu = time.perf_counter() - t0, time.process_time() - c0
    return prep, (loop_s, loop_cpu), collect(prep, seed).kpis()


def peer(seeds: list[int], peer_seeds: list[int]) -> dict:
    from silkway.network import read_dataset
    from silkway.simulation import _layout as L
    from silkway.simulation import default_demand
    from sim_simpy_peer import Peer

    net = read_dataset()
    demand = default_demand(net)
    silkway_run(net, demand, 99)  # JIT warm-up / cache load
    sk = []
    for s in seeds:
        prep, loop_s, k = silkway_run(net, demand, s)
        sk.append((int(prep.work.ctr[L.C_EVENTS]), loop_s[0], k, loop_s[1]))
    pr = []
    for s in peer_seeds:
        prep, _, _ = silkway_run(net, demand, s)  # same inputs (plan, arrivals, closure windows) for the peer
        model_events = int(prep.work.ctr[L.C_EVENTS])
        from silkway.simulation import SimOptions
        from silkway.simulation.engine import prepare
        from silkway.simulation.plan import build
        b, routes = build(net, demand, SimOptions())
        fresh = prepare(b, routes, demand, SimOptions(), days=365, seed=s, closures=net.closures)
        t0, c0 = time.perf_counter(), time.process_time()
        p = Peer(fresh, seed=1000 + s).run()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        pr.append((model_events, wall, p.kpis(), p.model_events, next(p.env._eid), cpu))
    return {"silkway": sk, "simpy": pr}


def child(mode: str) -> None:
    """Measurements that need a fresh process: print one JSON line."""
    import resource

    from silkway.network import read_dataset
    from silkway.simulation import default_demand, simulate

    net = read_dataset()
    demand = default_demand(net)
    if mode == "jit":
        t0 = time.perf_counter()
        simulate(net, demand, days=5, seed=0)
        print(json.dumps({"first_call_s": time.perf_counter() - t0}))
        return
    d2 = demand.scaled(2.0)
    t0 = time.perf_counter()
    simulate(net, d2, days=5, seed=1)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    r = simulate(net, d2, days=365, seed=0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    k = r.kpis()
    print(json.dumps({"warmup_s": warm, "wall_s": wall, "cpu_s": cpu, "events": r.events, "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "delivered_teu": k["delivered_teu"], "generated_teu": k["generated_teu"], "horgos": k["trains_border_horgos"]}))


def in_child(mode: str, env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.child:
        child(a.child)
        return
    with tempfile.TemporaryDirectory() as cache:
        cold = in_child("jit", {"NUMBA_CACHE_DIR": cache})
    warm = in_child("jit")
    scale = in_child("scale")
    res = peer(list(range(3 if a.quick else 5)), [0] if a.quick else [0, 1])
    sk_rate = [x[0] / x[1] for x in res["silkway"]]
    sp_rate = [x[0] / x[1] for x in res["simpy"]]
    sk_cpu = [x[0] / x[3] for x in res["silkway"]]
    sp_cpu = [x[0] / x[5] for x in res["simpy"]]
    print(f"## Capacity simulation — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("Command: `.venv/bin/python benchmarks/bench_sim.py`\n")
    print("| measurement | value |\n|---|---|")
    print(f"| JIT warm-up, empty numba cache (first `simulate`, fresh process) | {cold['first_call_s']:.1f} s |")
    print(f"| JIT warm-up, warm cache (first `simulate`, fresh process) | {warm['first_call_s']:.2f} s |")
    print(f"| year at 2× 2023 demand, `simulate` end to end (wall / CPU) | {scale['wall_s']:.2f} s / {scale['cpu_s']:.2f} s |")
    print(f"| … its events; events per second end to end | {scale['events']:,} ; {scale['events'] / scale['wall_s']:,.0f} |")
    print(f"| … peak memory of the process (ru_maxrss) | {scale['maxrss_mib']:.0f} MiB |")
    print(f"| silkway event loop, 2023 year, model events per wall s / per CPU s (mean of {len(sk_rate)} seeds) | {np.mean(sk_rate):,.0f} / {np.mean(sk_cpu):,.0f} |")
    print(f"| SimPy peer, same scenario and inputs, model events per wall s / per CPU s ({len(sp_rate)} seeds) | {np.mean(sp_rate):,.0f} / {np.mean(sp_cpu):,.0f} |")
    print(f"| ratio silkway / SimPy, wall / CPU | {np.mean(sk_rate) / np.mean(sp_rate):.0f}× / {np.mean(sk_cpu) / np.mean(sp_cpu):.0f}× |")
    print(f"| model events per 2023 run (silkway); SimPy's own events per run | {res['silkway'][0][0]:,} ; {np.mean([p[4] for p in res['simpy']]):,.0f} |")
    print()
    print("| KPI (2023, 365 d) | silkway mean ± sd (seeds) | SimPy peer (seeds) |\n|---|---|---|")
    for k in KPIS:
        sv = [x[2][k] for x in res["silkway"]]
        pv = [x[2].get(k, float("nan")) for x in res["simpy"]]
        print(f"| {k} | {np.mean(sv):,.0f} ± {np.std(sv, ddof=1):,.0f} ({len(sv)}) | {', '.join(f'{v:,.0f}' for v in pv)} |")


if __name__ == "__main__":
    main()
