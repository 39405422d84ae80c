"""Ensemble forecast from a warm start (docs/nowcast.md, "Forecast"): N members run from t0 over a horizon, each
with its own draw of the uncertain parameters (the assimilator's particles, or the prior without assimilation),
its own demand after t0 and its own random streams. Per train: ETA quantiles; per station with a queue at t0: the
time until it first empties (queue clearance)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from silkway.network.model import Network
from silkway.nowcast.assimilate import Assimilator, Seen, ServiceModel, observed_services
from silkway.nowcast.observations import Observation, ObsKind, hours_since
from silkway.simulation import _layout as L
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions

QUANTILES = (0.1, 0.5, 0.9)
# Quantiles of an N-member ensemble at plotting positions p (N + 1) (Hyndman & Fan type 6, numpy "weibull"): a new
# draw exchangeable with the members falls below the k-th of N with probability k / (N + 1), so [P10, P90] covers it
# with probability 0.8 at any N (the interpolated "linear" positions 1 + p (N − 1) cover only 0.72 at N = 20 and
# 0.75 at N = 30). inf = beyond the horizon.
QUANTILE_METHOD: Final = "weibull"


def quantiles(x: np.ndarray, end: float) -> np.ndarray:
    """P10/P50/P90 per column of ``x`` [members, items] (inf = beyond ``end``); a quantile that falls between a
    member within ``end`` and one beyond it is beyond it (inf)."""
    q = np.quantile(np.where(np.isfinite(x), x, 1e12), QUANTILES, axis=0, method=QUANTILE_METHOD)
    return np.where(q > end, np.inf, q)


@dataclass
class Forecast:
    t0_h: float
    origin: datetime
    horizon_h: float
    train_ids: list[str]
    eta_h: np.ndarray  # [members, trains]: arrival hour (since origin), inf = not arrived within the horizon
    stations: list[str]  # station ids with a queue at t0
    clearance_h: np.ndarray  # [members, stations]: hours after t0 until the queue first empties, inf = not within
    queue_t0: np.ndarray  # [stations] trains waiting at t0
    demand_multiplier: np.ndarray  # [members]
    problems: list

    def eta_table(self) -> pd.DataFrame:
        q = quantiles(self.eta_h, self.t0_h + self.horizon_h) if len(self.train_ids) else np.empty((3, 0))
        return pd.DataFrame({"train_id": self.train_ids, "eta_p10_h": q[0], "eta_p50_h": q[1], "eta_p90_h": q[2],
                             "p_arrive_within_horizon": np.mean(np.isfinite(self.eta_h), axis=0) if len(self.train_ids) else []})

    def clearance_table(self) -> pd.DataFrame:
        q = quantiles(self.clearance_h, self.horizon_h) if len(self.stations) else np.empty((3, 0))
        return pd.DataFrame({"station": self.stations, "queue_trains_t0": self.queue_t0, "clear_p10_h": q[0],
                             "clear_p50_h": q[1], "clear_p90_h": q[2]})


class Desk:
    """The network, plan and filters of one forecasting desk: ``forecast(obs, t0_h)`` at rolling times, each
    assimilating the observations since the previous one (``assimilate=False``: the prior every time).
    ``feed_interval_h``: the feed reports each train's state every so many hours (not every milestone)."""

    def __init__(self, net: Network, demand: Demand, options: SimOptions, *, origin: datetime, members: int = 50, seed: int = 0,
                 assimilate: bool = True, feed_interval_h: float | None = None):
        from silkway.simulation.plan import build

        self.net, self.demand, self.options, self.origin = net, demand, options, origin
        self.members, self.seed, self.assimilate, self.feed_interval_h = members, seed, assimilate, feed_interval_h
        self.builder, self.routes = build(net, demand, options)
        self.filters = Assimilator(members, seed)
        self.models = {i: ServiceModel(s.dist if s.kind != "quay" else 0, s.a, s.b) for i, s in enumerate(self.builder.stations)}
        self.green = frozenset(i for i, s in enumerate(self.builder.stations) if s.green)
        # the longest wait before service assumed at a station when a train was not seen waiting (assimilate.observed_services)
        self.slack = {i: s.gate_h_train + (s.mean_h if s.servers > 0 else 0.0) for i, s in enumerate(self.builder.stations)}
        self.evidence: dict[tuple[str, int, float], tuple[int, Seen]] = {}  # each service's evidence at the last update
        self.calls = 0
        self.no_wait = frozenset(i for i, s in enumerate(self.builder.stations)
                                 if s.kind != "quay" and s.servers == 0 and s.gate_h_train == 0 and s.gate_h_teu == 0)
        self.follows: dict[int, set[int]] = {}
        for r in self.routes:
            for a, b in zip(r.stations, [*r.stations[1:], -1], strict=True):
                self.follows.setdefault(a, set()).add(b)

    def station_of(self, o: Observation) -> int | None:
        from silkway.simulation.warm import find_station

        if o.place is None or o.stage is None:
            return None
        return find_station(self.builder, o.place, o.stage.value, o.node)

    def update(self, obs: list[Observation], now_h: float) -> None:
        """Assimilate the observations up to ``now_h`` in steps of at most a day since the last update (the first:
        since the first observation), so the random walk runs between the evidence of successive days and a change
        (a yard slowing) is followed instead of pooled with the weeks before it. Demand evidence: the last 7 days
        before the first update (earlier departures are only seen for trains still in the system), every step after."""
        since = self.filters.last_h
        first = min((hours_since(o.time, self.origin) for o in obs), default=now_h) if since is None else since
        demand_from = since if since is not None else now_h - 7 * 24.0
        steps = max(1, math.ceil((now_h - first) / 24.0 - 1e-9))
        for k in range(1, steps + 1):
            hi = now_h if k == steps else first + 24.0 * k
            lo = self.filters.last_h if self.filters.last_h is not None else hi - 24.0
            self._update_to(obs, max(lo, demand_from), hi)

    def _update_to(self, obs: list[Observation], lo: float, hi: float) -> None:
        seen = observed_services(obs, hi, self.origin, self.station_of, self.follows, self.no_wait, self.feed_interval_h,
                                 self.options.green_channel_factor, self.green, self.slack)
        changed: dict[int, list[tuple[Seen | None, Seen]]] = {}
        for key, (s, ev) in seen.items():
            before = self.evidence.get(key)
            if before is None or before[1] != ev:
                changed.setdefault(s, []).append((before[1] if before else None, ev))
        self.evidence = seen
        expected, departed = 0.0, 0
        if hi > lo:
            departed = sum(o.containers or 0 for o in obs if o.kind == ObsKind.DEPARTED and lo < hours_since(o.time, self.origin) <= hi)
            warm_h = self.options.warmup_days * 24.0
            n = max(1, math.ceil((hi - lo) / 24.0))
            mid = lo + (np.arange(n) + 0.5) * (hi - lo) / n  # midpoints of n equal slices of the window
            teu = sum(float(f.rate_teu_per_day((mid - warm_h) / 24.0).sum()) * (hi - lo) / 24.0 / n for f in self.demand.flows)
            expected = teu / self.options.container_teu
        self.filters.update(changed, self.models, departed, expected, hi)

    def forecast(self, obs: list[Observation], t0_h: float, horizon_h: float, workers: int = 1) -> Forecast:
        """The ensemble from ``t0_h`` over ``horizon_h``; ``workers`` > 1 runs the members in that many forked
        processes (same results: each member's random numbers depend only on the seed, the call and its index)."""
        if self.assimilate:
            self.update(obs, t0_h)
        else:
            self.filters = Assimilator(self.members, self.seed + self.calls)  # the prior, fresh each time
        self.calls += 1
        mult, dmult = self.filters.members(self.models)
        job = (self, obs, t0_h, horizon_h, mult, dmult)
        if workers > 1 and self.members > 1:
            import multiprocessing

            global _JOB
            _JOB = job
            try:
                # the workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and the parent alone
                # says "interrupted" and ends them (they exit when its pipe closes), without a traceback each
                from silkway.interrupts import ended_on_interrupt

                before = set(multiprocessing.active_children())
                with multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_sigint) as pool, \
                        ended_on_interrupt(_terminator(set(multiprocessing.active_children()) - before)):
                    runs = pool.map(_member_of_job, range(self.members), chunksize=max(1, self.members // (4 * workers)))
            finally:
                _JOB = None
        else:
            runs = [_member(*job, i) for i in range(self.members)]
        ids, stations, q0, problems = runs[0][0], runs[0][1], runs[0][2], runs[0][3]
        return Forecast(t0_h, self.origin, horizon_h, ids, np.array([r[4] for r in runs]).reshape(self.members, len(ids)), stations,
                        np.array([r[5] for r in runs]).reshape(self.members, len(stations)), q0, dmult, problems)


_JOB: tuple[Any, ...] | None = None  # the forecast being run by forked workers (inherited, never pickled)


def _terminator(processes: set[Any]) -> Callable[[], None]:
    def stop() -> None:
        for p in processes:
            p.terminate()

    return stop


def _ignore_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _member_of_job(i: int):
    assert _JOB is not None
    return _member(*_JOB, i)  # type: ignore[call-arg]  # _JOB holds the first six arguments (set by forecast)


def _member(desk: Desk, obs: list[Observation], t0_h: float, horizon_h: float, mult: np.ndarray, dmult: np.ndarray, i: int):
    """One member: (train ids, queued station ids, their queues at t0, placement problems, arrival hours, clearance)."""
    from silkway.simulation.arrivals import generate
    from silkway.simulation.engine import run
    from silkway.simulation.warm import warm_prepare

    o = desk.options
    warm_h = o.warmup_days * 24.0
    end_h = t0_h + horizon_h
    ss = np.random.SeedSequence([desk.seed, desk.calls, i])
    rng = np.random.default_rng(ss)
    arrivals = generate(desk.demand.scaled(float(dmult[i])), end_h, warm_h, o.container_teu, rng)
    ws = warm_prepare(desk.builder, desk.routes, desk.demand, o, days=(end_h - warm_h) / 24.0, seed=int(ss.generate_state(1)[0]),
                      closures=desk.net.closures if o.use_closures else (), observations=obs, t0_h=t0_h, origin=desk.origin,
                      arrivals=arrivals, rng=rng, service_scale=mult[i],
                      closure_left=lambda nominal, _elapsed: rng.exponential(max(nominal, 1.0)))
    W = ws.prep.work
    ids = list(ws.train_index)
    qlen = W[L.SI][:, L.S_QLEN].copy()
    busy = np.flatnonzero(qlen > 0)
    run(ws.prep, chunk_days=1e9)
    arr = np.array([W[L.TF][ws.train_index[t], L.TF_ARRIVE] for t in ids])
    return (ids, [desk.builder.stations[s].station_id for s in busy], qlen[busy], ws.problems, np.where(arr >= 0, arr, np.inf),
            _clearance(W, busy, t0_h))


def _clearance(W: tuple, stations: np.ndarray, t0_h: float) -> np.ndarray:
    """Hours from t0 to the first sample after t0 at which each station's queue is empty (inf: never sampled empty)."""
    sc, sq = W[L.SC], W[L.SQ]
    k = int(W[L.CTR][L.C_SAMPLE])
    times = sc[:k, L.SC_T]
    after = times > t0_h
    out = np.full(len(stations), math.inf)
    for j, s in enumerate(stations):
        hit = np.flatnonzero(after & (sq[:k, s] == 0))
        if len(hit):
            out[j] = times[hit[0]] - t0_h
    return out
