"""Warm-start verification (docs/nowcast.md): stop a run at t0, write its state as observations, rebuild the state
from them and run on; compare with the uninterrupted run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from silkway.network.model import Network
from silkway.nowcast.observations import format_csv, parse_text
from silkway.nowcast.snapshot import snapshot
from silkway.simulation import _layout as L
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions

ORIGIN = datetime(2023, 1, 1, tzinfo=UTC)  # hour 0 of the runs (any date: only differences matter)


@dataclass
class Restart:
    """Outputs after t0 of the uninterrupted run (``truth_*``) and of the run restarted from its observed state."""

    n_observations: int
    truth_arrive_h: np.ndarray  # arrival time of each train in the system at t0 (same order in both)
    warm_arrive_h: np.ndarray
    truth_new_arrive_h: np.ndarray  # arrival times (sorted) of the trains formed after t0
    warm_new_arrive_h: np.ndarray
    truth_queues: np.ndarray  # sampled queue lengths after t0 (samples × stations)
    warm_queues: np.ndarray


def restart(net: Network, demand: Demand, options: SimOptions, *, days: float, t0_h: float, seed: int, warm_seed: int | None = None) -> Restart:
    """One verification run. The restarted run gets the uninterrupted run's future demand (the released containers
    after t0) and its closure calendar; its random streams start afresh (``warm_seed``, default ``seed``)."""
    from silkway.simulation._kernel import run_until
    from silkway.simulation.engine import prepare, run
    from silkway.simulation.plan import build
    from silkway.simulation.warm import warm_prepare

    closures = net.closures if options.use_closures else ()
    b, routes = build(net, demand, options)
    truth = prepare(b, routes, demand, options, days=days, seed=seed, closures=closures)
    run_until(truth.work, t0_h)
    obs, problems = parse_text(format_csv(snapshot(truth, t0_h, ORIGIN, closures)), "snapshot.csv", jsonl=False)
    assert not problems, problems[:3]
    sht, shr = truth.work[L.SHT].copy(), truth.work[L.SHR].copy()
    run(truth)
    b2, routes2 = build(net, demand, options)
    ws = warm_prepare(b2, routes2, demand, options, days=days, seed=seed if warm_seed is None else warm_seed, closures=closures,
                      observations=obs, t0_h=t0_h, origin=ORIGIN, arrivals=(sht, shr))
    run(ws.prep)
    Tt, Tw = truth.work, ws.prep.work
    ids = list(ws.train_index.items())
    k1 = int(np.floor(t0_h / options.sample_hours + 1e-9)) + 1
    nt, nw = int(Tt[L.CTR][L.C_NTRAINS]), int(Tw[L.CTR][L.C_NTRAINS])
    return Restart(
        len(obs),
        np.array([Tt[L.TF][int(tid[1:]), L.TF_ARRIVE] for tid, _ in ids]),
        np.array([Tw[L.TF][k, L.TF_ARRIVE] for _, k in ids]),
        np.sort(Tt[L.TF][:nt][Tt[L.TF][:nt, L.TF_FORMED] > t0_h, L.TF_ARRIVE]),
        np.sort(Tw[L.TF][len(ids):nw, L.TF_ARRIVE]),
        Tt[L.SQ][k1:].copy(), Tw[L.SQ][k1:].copy(),
    )
