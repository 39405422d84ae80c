"""Waits per station and calendar month of a run: what the route planner's ``typical`` conditions are made of.

The kernel adds each train's queue wait (time from joining a station's queue to the start of its service, closures
included) to the station's running sum when its service starts. Running the kernel month by month and reading the
sums at each month's end splits them by the month in which service started, without touching the kernel. The
reported year starts on 1 January (hour ``warmup`` of the run, docs/simulation.md "Disruptions").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from silkway.network.model import Network
from silkway.network.seasons import MONTH_START_H
from silkway.simulation import _layout as L
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions


@dataclass(frozen=True)
class StationWaits:
    """``kind``/``target``/``node`` of each station (docs/simulation.md "Stations"); ``trains[s, m]`` trains whose
    service started in month m (0 = January) of the reported year and ``wait_h[s, m]`` the sum of their queue waits."""

    kind: tuple[str, ...]
    target: tuple[str, ...]
    node: tuple[str, ...]
    trains: np.ndarray
    wait_h: np.ndarray


def monthly_station_waits(net: Network, demand: Demand, *, seed: int = 0, options: SimOptions = SimOptions()) -> StationWaits:
    """One simulated year (365 days after the warm-up) of ``net`` and ``demand``; waits per station and month."""
    from silkway.simulation._kernel import run_until
    from silkway.simulation.engine import prepare
    from silkway.simulation.plan import build

    builder, routes = build(net, demand, options)
    closures = (net.closures if options.use_closures else ()) + tuple(options.extra_closures)
    prep = prepare(builder, routes, demand, options, days=365.0, seed=seed, closures=closures)
    n = len(builder.stations)
    trains = np.zeros((n, 12))
    wait = np.zeros((n, 12))
    before_t, before_w = np.zeros(n), np.zeros(n)
    for m in range(12):
        run_until(prep.work, min(prep.warmup_h + MONTH_START_H[m + 1], prep.horizon_h))
        served = prep.work[L.SI][:, L.S_SERVED].astype(float)
        summed = prep.work[L.SF][:, L.SF_WAIT_SUM].copy()
        trains[:, m], wait[:, m] = served - before_t, summed - before_w
        before_t, before_w = served, summed
    st = builder.stations
    return StationWaits(tuple(s.kind for s in st), tuple(s.target for s in st), tuple(s.node_id for s in st), trains, wait)
