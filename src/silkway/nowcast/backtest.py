"""Backtest (docs/nowcast.md, "Backtest"): a hidden truth run with perturbations the forecaster is not told about,
its observations fed as a tracking feed, forecasts at rolling times, scores against the truth.

Truth feed: the truth run's state every ``step_h`` hours (``snapshot``: each train's latest milestone, vessels,
closures in force without their end, gates) plus ``delivered`` rows, merged without repeats; a closure that
disappears gets a ``closure_ended`` row. Scores per forecast time, over the trains in the system at t0 that the
truth delivers within the horizon: ETA mean absolute error of the P50, the share inside [P10, P90] (nominal 80%),
the ensemble CRPS (mean |X − y| − ½ mean |X − X'|, members not arrived counted at the horizon's end); per station
with a queue at t0 that the truth empties within the horizon, the error of the P50 clearance time. Baselines: the
route planner's static ETA (departure + the planner's median door-to-door time for the train's origin and
destination, typical conditions), and the same forecast without assimilation (the prior parameters every time).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from silkway.network.model import Closure, Network
from silkway.nowcast.forecast import QUANTILE_METHOD, QUANTILES, Desk, Forecast
from silkway.nowcast.observations import Observation, ObsKind, TargetKind, at_hours
from silkway.simulation import _layout as L
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions

ORIGIN = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Perturbations:
    """What the truth does that the forecaster's model does not know (hours since the run's hour 0)."""

    closure_node: str | None = "dostyk"  # an unannounced closure of a node
    closure_h: tuple[float, float] = (25 * 24.0, 29 * 24.0)
    slow_facility: str | None = "khorgos_gateway_dry_port"  # a slowed yard: service and gate × slow_factor from slow_from_h
    slow_factor: float = 2.5
    slow_from_h: float = 20 * 24.0
    surge: float = 1.4  # demand × surge from surge_from_h
    surge_from_h: float = 22 * 24.0
    stop_facility: str | None = "malaszewicze_border"  # an acceptance stop
    stop_h: tuple[float, float] = (27 * 24.0, 30 * 24.0)


@dataclass
class Scores:
    rows: list[dict] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    def summary(self) -> pd.DataFrame:
        t = self.table()
        if t.empty:
            return t
        g = t.groupby("method")
        n = g["n_trains"].sum()
        out = pd.DataFrame({"trains": n})
        for col in ("eta_mae_h", "coverage_p10_p90", "coverage_linear", "crps_h", "clearance_mae_h"):
            out[col] = g.apply(lambda d, c=col: np.average(d[c], weights=d["n_trains"]) if d[c].notna().all() else float("nan"),
                               include_groups=False)
        return out


def truth_feed(net: Network, demand: Demand, options: SimOptions, *, days: float, seed: int, perturb: Perturbations,
               step_h: float, start_h: float):
    """Run the truth; return (prep, observations, arrival h per truth train, queue samples)."""
    from silkway.nowcast.snapshot import snapshot
    from silkway.simulation._kernel import run_until
    from silkway.simulation.arrivals import generate
    from silkway.simulation.engine import prepare
    from silkway.simulation.plan import build
    from silkway.simulation.warm import scale_services

    extra: list[Closure] = []
    if perturb.closure_node:
        extra.append(_once("bt_closure", "node", perturb.closure_node, *perturb.closure_h, options))
    if perturb.stop_facility:
        extra.append(_once("bt_acceptance_stop", "facility", perturb.stop_facility, *perturb.stop_h, options))
    closures = (net.closures if options.use_closures else ()) + tuple(extra)
    warm_h = options.warmup_days * 24.0
    horizon = warm_h + days * 24.0
    base = generate(demand, horizon, warm_h, options.container_teu, np.random.default_rng([seed, 1]))
    more = generate(demand.scaled(perturb.surge - 1.0), horizon, warm_h, options.container_teu, np.random.default_rng([seed, 2])) \
        if perturb.surge > 1.0 else (np.empty(0), np.empty(0, np.int64))
    keep = more[0] > perturb.surge_from_h
    t = np.concatenate([base[0], more[0][keep]])
    f = np.concatenate([base[1], more[1][keep]])
    order = np.lexsort((f, t))
    b, routes = build(net, demand, replace(options, booking=False))
    prep = prepare(b, routes, demand, replace(options, booking=False), days=days, seed=seed, closures=closures,
                   arrivals=(t[order], f[order]))
    slow = np.ones(len(b.stations))
    if perturb.slow_facility:
        slow[[i for i, s in enumerate(b.stations) if perturb.slow_facility in s.target.split("+") and s.kind == "handling"]] = perturb.slow_factor
    seen: set = set()
    obs: list[Observation] = []
    open_closures: dict = {}
    slowed, delivered_upto, now = False, 0.0, start_h
    while now <= horizon:
        if not slowed and now >= perturb.slow_from_h:
            run_until(prep.work, perturb.slow_from_h)
            scale_services(prep.work, slow)
            slowed = True
        run_until(prep.work, now)
        snap = snapshot(prep, now, ORIGIN, closures, announce_ends=False)
        current = {}
        for o in snap:
            if o.kind == ObsKind.CLOSURE_STARTED:
                current[(o.closure_id, o.place)] = o
            key = (o.time, o.kind, o.train_id, o.vessel_id, o.place, o.stage, o.closure_id, o.shipment_id)
            if key not in seen and o.kind != ObsKind.NEXT_SLOT:
                seen.add(key)
                obs.append(o)
        for k, o in open_closures.items():
            if k not in current:
                obs.append(Observation(at_hours(now, ORIGIN), ObsKind.CLOSURE_ENDED, closure_id=o.closure_id, target_kind=o.target_kind,
                                       place=o.place))
        open_closures = current
        tf, ti = prep.work[L.TF], prep.work[L.TI]
        n = int(prep.work[L.CTR][L.C_NTRAINS])
        arr = tf[:n, L.TF_ARRIVE]
        for tr in np.flatnonzero((arr > delivered_upto) & (arr <= now)):
            obs.append(Observation(at_hours(arr[tr], ORIGIN), ObsKind.DELIVERED, train_id=f"T{tr}",
                                   place=prep.routes[int(ti[tr, L.T_ROUTE])].flow.destination))
        delivered_upto = now
        now += step_h
    run_until(prep.work, horizon)
    obs.sort(key=lambda o: o.time)
    return prep, obs


def _once(cid: str, kind: str, target: str, start_h: float, end_h: float, options: SimOptions) -> Closure:
    """A one-off closure as a recurring row of the reported year (engine.closure_windows), started at ``start_h``."""
    warm_h = options.warmup_days * 24.0
    return Closure(cid, kind, target, "recurring", (end_h - start_h) / 24.0, start_day_of_year=(start_h - warm_h) / 24.0 + 1.0)


StaticETA = Callable[[str, str], "float | None"]
"""The static planner the backtest scores against: door-to-door hours from origin to destination (None when it finds
no route). The service layer supplies it (``services.nowcast.static_planner``: the route planner's median under typical
conditions), so this core module reads no waits file."""


def planner_eta(prep, tr: int, planner: StaticETA, cache: dict) -> float:
    """The route planner's static ETA of truth train ``tr``: departure + ``planner``'s door-to-door hours (the
    simulated route's base hours when the planner finds no route)."""
    route = prep.routes[int(prep.work[L.TI][tr, L.T_ROUTE])]
    key = (route.flow.origin, route.flow.destination)
    if key not in cache:
        hours = planner(*key)
        cache[key] = route.base_h if hours is None else hours
    return prep.work[L.TF][tr, L.TF_DEPART] + cache[key]


def crps(members: np.ndarray, y: float) -> float:
    """Ensemble CRPS (Gneiting & Raftery 2007): mean |X − y| − ½ mean |X − X'|."""
    x = np.asarray(members, float)
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


def score(fc: Forecast, truth, method: str, planner: StaticETA, planner_cache: dict) -> dict:
    """Scores of one forecast (or of the static planner for the same trains, ``method='planner'``)."""
    end = fc.t0_h + fc.horizon_h
    W = truth.work
    idx = np.array([int(t[1:]) for t in fc.train_ids], dtype=np.int64)
    y = W[L.TF][idx, L.TF_ARRIVE] if len(idx) else np.empty(0)
    ok = (y >= 0) & (y <= end)
    if method == "planner":
        p50 = np.array([planner_eta(truth, int(tr), planner, planner_cache) for tr in idx[ok]])
        err = np.abs(p50 - y[ok])
        return {"method": method, "t0_h": fc.t0_h, "n_trains": int(ok.sum()), "eta_mae_h": float(err.mean()) if len(err) else math.nan,
                "coverage_p10_p90": math.nan, "coverage_linear": math.nan, "crps_h": float(err.mean()) if len(err) else math.nan, "clearance_mae_h": math.nan}
    ens = np.minimum(fc.eta_h[:, ok], end)
    q10, q50, q90 = np.quantile(ens, QUANTILES, axis=0, method=QUANTILE_METHOD) if ok.any() else (np.empty(0),) * 3
    l10, l90 = np.quantile(ens, (0.1, 0.9), axis=0) if ok.any() else (np.empty(0),) * 2  # numpy's default "linear"
    yy = y[ok]
    clear = _truth_clearance(truth, fc)
    good = np.isfinite(clear)
    fc_clear = np.quantile(np.minimum(fc.clearance_h, fc.horizon_h), 0.5, axis=0) if len(fc.stations) else np.empty(0)
    return {"method": method, "t0_h": fc.t0_h, "n_trains": int(ok.sum()),
            "eta_mae_h": float(np.mean(np.abs(q50 - yy))) if len(yy) else math.nan,
            "coverage_p10_p90": float(np.mean((yy >= q10) & (yy <= q90))) if len(yy) else math.nan,
            "coverage_linear": float(np.mean((yy >= l10) & (yy <= l90))) if len(yy) else math.nan,
            "crps_h": float(np.mean([crps(ens[:, j], yy[j]) for j in range(len(yy))])) if len(yy) else math.nan,
            "clearance_mae_h": float(np.mean(np.abs(fc_clear[good] - clear[good]))) if good.any() else math.nan}


def _truth_clearance(truth, fc: Forecast) -> np.ndarray:
    from silkway.nowcast.forecast import _clearance

    index = {s.station_id: i for i, s in enumerate(truth.builder.stations)}
    st = np.array([index[s] for s in fc.stations], dtype=np.int64)
    c = _clearance(truth.work, st, fc.t0_h)
    return np.where(c <= fc.horizon_h, c, np.inf)


def backtest(net: Network, demand: Demand, options: SimOptions, *, planner: StaticETA, days: float = 60, seed: int = 0, members: int = 30,
             horizon_days: float = 20, at_days: tuple[float, ...] = (24, 28, 32), step_h: float = 6.0,
             perturb: Perturbations = Perturbations(), workers: int = 1) -> Scores:
    """Forecasts at ``at_days`` (days since hour 0) by the assimilating desk, the desk without assimilation and the
    static ``planner``, scored against the truth (``workers``: processes per forecast, same results)."""
    truth, obs = truth_feed(net, demand, options, days=days, seed=seed, perturb=perturb, step_h=step_h,
                            start_h=options.warmup_days * 24.0)
    fopts = replace(options, booking=False)
    desks = {"assimilated": Desk(net, demand, fopts, origin=ORIGIN, members=members, seed=seed + 1, feed_interval_h=step_h),
             "no_assimilation": Desk(net, demand, fopts, origin=ORIGIN, members=members, seed=seed + 1, assimilate=False)}
    out = Scores()
    cache: dict[Any, Any] = {}
    for day in at_days:
        t0 = day * 24.0
        seen = [o for o in obs if (o.time - ORIGIN).total_seconds() / 3600.0 <= t0]
        for name, desk in desks.items():
            fc = desk.forecast(seen, t0, horizon_days * 24.0, workers=workers)
            out.rows.append(score(fc, truth, name, planner, cache))
            if name == "assimilated":
                out.rows.append(score(fc, truth, "planner", planner, cache))
    return out


__all__ = ["Perturbations", "Scores", "StaticETA", "TargetKind", "backtest", "crps", "truth_feed"]
