"""Waits per station and calendar month of a run, as distributions: what the route planner's ``typical`` conditions
are made of.

The kernel adds each train's queue wait (time from joining a station's queue to the start of its service, closures
included) to the station's running sum when its service starts. Running the kernel hour by hour and reading the sums
at each hour's end gives, per station and hour, the trains whose service started in that hour and the sum of their
waits, without touching the kernel: the per-train waits at the resolution of an hour (a train is given the mean wait
of the trains of its station and hour; a rail station serves at most a few trains an hour). Their months and
quantiles follow. The reported year starts on 1 January (hour ``warmup`` of the run, docs/simulation.md "Disruptions").

The **origin wait** of a container is the time from its arrival at the origin terminal (ready) to its train's
departure: waiting for the block train to fill (depart when full) or for its timetabled departure. It is measured on
every container that became ready in the reported year and left within the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from silkway.network.model import Network
from silkway.network.seasons import MONTH_START_H
from silkway.simulation import _layout as L
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions

BUCKET_H = 1.0  # the resolution of the per-train waits (hours)


@dataclass(frozen=True)
class StationWaits:
    """``kind``/``target``/``node`` of each station (docs/simulation.md "Stations"); ``trains[s, m]`` trains whose
    service started in month m (0 = January) of the reported year and ``wait_h[s, m]`` the sum of their queue waits;
    per hour of the year ``hour_trains[h, s]`` / ``hour_wait_h[h, s]`` the same, ``hour_month[h]`` its month (1–12).
    Origin waits, one per container: ``origin_flow`` (index into ``flows``, (origin, destination) node ids),
    ``origin_month`` (1–12, the month it became ready) and ``origin_wait_h``."""

    kind: tuple[str, ...]
    target: tuple[str, ...]
    node: tuple[str, ...]
    trains: np.ndarray
    wait_h: np.ndarray
    hour_trains: np.ndarray
    hour_wait_h: np.ndarray
    hour_month: np.ndarray
    flows: tuple[tuple[str, str], ...]
    origin_flow: np.ndarray
    origin_month: np.ndarray
    origin_wait_h: np.ndarray


def monthly_station_waits(net: Network, demand: Demand, *, seed: int = 0, options: SimOptions = SimOptions()) -> StationWaits:
    """One simulated year (365 days after the warm-up) of ``net`` and ``demand``; waits per station, hour and month,
    and the origin wait of every container."""
    from silkway.simulation.engine import advance, prepare
    from silkway.simulation.plan import build

    builder, routes = build(net, demand, options)
    closures = (net.closures if options.use_closures else ()) + tuple(options.extra_closures)
    prep = prepare(builder, routes, demand, options, days=365.0, seed=seed, closures=closures)
    n = len(builder.stations)
    hours = int(round(MONTH_START_H[-1] / BUCKET_H))
    served = np.zeros((hours + 1, n))
    summed = np.zeros((hours + 1, n))
    advance(prep, prep.warmup_h)
    served[0] = prep.work.si[:, L.S_SERVED]
    summed[0] = prep.work.sf[:, L.SF_WAIT_SUM]
    for h in range(1, hours + 1):
        advance(prep, min(prep.warmup_h + h * BUCKET_H, prep.horizon_h))
        served[h] = prep.work.si[:, L.S_SERVED]
        summed[h] = prep.work.sf[:, L.SF_WAIT_SUM]
    hour_trains, hour_wait = np.diff(served, axis=0), np.diff(summed, axis=0)
    hour_month = np.searchsorted(MONTH_START_H, np.arange(hours) * BUCKET_H, side="right").astype(np.int64)
    trains = np.stack([hour_trains[hour_month == m + 1].sum(axis=0) for m in range(12)], axis=1)
    wait = np.stack([hour_wait[hour_month == m + 1].sum(axis=0) for m in range(12)], axis=1)
    flows, flow, month, origin_wait = _origin_waits(prep)
    st = builder.stations
    return StationWaits(tuple(s.kind for s in st), tuple(s.target for s in st), tuple(s.node_id for s in st), trains, wait,
                        hour_trains, hour_wait, hour_month, flows, flow, month, origin_wait)


def _origin_waits(prep) -> tuple[tuple[tuple[str, str], ...], np.ndarray, np.ndarray, np.ndarray]:
    """Each container ready in the reported year whose train left: its flow, month and hours from ready to departure."""
    W = prep.work
    k = int(W.ctr[L.C_SHIP])
    ready = W.sht[:k]
    train = W.shtr[:k]
    ok = train >= 0
    depart = np.full(k, -1.0)
    depart[ok] = W.tf[train[ok], L.TF_DEPART]
    rel = ready - prep.warmup_h
    keep = ok & (depart >= 0) & (rel >= 0) & (rel < MONTH_START_H[-1])
    pairs = [(rt.flow.origin, rt.flow.destination) for rt in prep.routes]
    flows = tuple(sorted(set(pairs)))
    index = {p: i for i, p in enumerate(flows)}
    route_flow = np.array([index[p] for p in pairs], np.int64)
    route = W.ti[train[keep], L.T_ROUTE]
    month = np.searchsorted(MONTH_START_H, rel[keep], side="right").astype(np.int64)
    return flows, route_flow[route], month, depart[keep] - ready[keep]


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles of ``values`` with ``weights`` (counts) at ``levels`` in [0, 1]: the value below which that share of the
    weight lies (level 0 = the smallest value with weight, 1 = the largest); linear between neighbouring values."""
    keep = weights > 0
    v, w = values[keep], weights[keep]
    if len(v) == 0:
        return np.full(len(levels), np.nan)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cum = np.cumsum(w)
    pos = (cum - w / 2.0) / cum[-1]  # each value at the middle of its weight
    return np.interp(levels, pos, v)
