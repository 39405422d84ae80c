"""Warm start (issue 17, docs/nowcast.md): the kernel's state at time ``t0`` built from observations.

``warm_prepare`` compiles the plan as ``engine.prepare`` does (same seed → same schedule phases and closure draws),
keeps the demand after ``t0``, drops the start events of a cold run and places every observed train where its
latest milestone says it is: forming at its origin, waiting in a station's queue, in service (the rest of its
service time drawn from the service distribution conditioned on the time already spent), at a quay, aboard a
vessel or sailing; fleet vessels at berth, sailing or turning round; closures in force; the next slot of a gate.
The kernel files are not changed: only their arrays are filled (``_layout`` constants) and events pushed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import SimpleNamespace

import numpy as np

from silkway.errors import Problem
from silkway.network.model import Closure
from silkway.nowcast.observations import CLOSURE_KINDS, END_KINDS, Observation, ObsKind, hours_since
from silkway.simulation import _layout as L
from silkway.simulation._kernel import push
from silkway.simulation._station import append_train
from silkway.simulation.demand import Demand
from silkway.simulation.engine import Prepared, _csr, _targets, prepare
from silkway.simulation.options import SimOptions
from silkway.simulation.plan import PlanBuilder, RouteSpec
from silkway.simulation.warm_vessels import at_quay, place_vessels, residual, vessel_ids

STARTS = (ObsKind.CLOSURE_STARTED, ObsKind.ACCEPTANCE_STOPPED)
DEFAULT_CLOSURE_H = 72.0  # an observed closure with no announced end and no dataset row: assumed length (stated)


@dataclass
class WarmStart:
    prep: Prepared
    t0_h: float
    train_index: dict[str, int]  # observation train id → kernel train row
    problems: list[Problem] = field(default_factory=list)  # trains or rows that could not be placed (they are left out)


def station_matches(b: PlanBuilder, s: int, place: str | None, stage: str | None, node: str | None) -> bool:
    spec = b.stations[s]
    if place not in spec.target.split("+") or (stage is not None and spec.kind != stage):
        return False
    return node is None or spec.kind != "quay" or node == spec.node_id


def find_station(b: PlanBuilder, place: str, stage: str, node: str | None) -> int | None:
    hits = [s for s in range(len(b.stations)) if station_matches(b, s, place, stage, None)]
    if len(hits) > 1 and node is not None:
        hits = [s for s in hits if b.stations[s].node_id == node] or hits
    return hits[0] if hits else None


def warm_prepare(builder: PlanBuilder, routes: list[RouteSpec], demand: Demand, options: SimOptions, *, days: float, seed: int,
                 closures: tuple[Closure, ...], observations: list[Observation], t0_h: float, origin: datetime,
                 arrivals: tuple[np.ndarray, np.ndarray] | None = None, rng: np.random.Generator | None = None,
                 closure_h: float = DEFAULT_CLOSURE_H, service_scale: np.ndarray | None = None,
                 closure_left: Callable[[float, float], float] | None = None) -> WarmStart:
    """A :class:`Prepared` whose state at ``t0_h`` (hours since ``origin``, the simulation's hour 0) is the observed
    one; run it with ``engine.run`` as a cold one. ``arrivals`` (times h, route index) are the containers released
    after ``t0_h`` (default: drawn from ``demand``). Booking at the origin is off (the observed trains are booked).
    ``service_scale[s]`` multiplies station s's service times and gate spacing (a forecast member's parameters);
    ``closure_left(nominal_h, elapsed_h)`` gives the hours left after t0 of a closure in force with no announced end
    (default: its nominal length, at least until t0)."""
    rng = rng if rng is not None else np.random.default_rng(seed)
    obs = [o for o in observations if hours_since(o.time, origin) <= t0_h + 1e-9]
    opts = replace(options, booking=False)
    if arrivals is None:
        from silkway.simulation.arrivals import generate
        warm_h = options.warmup_days * 24.0
        arrivals = generate(demand, warm_h + days * 24.0, warm_h, options.container_teu,
                            np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[0]))
    keep = arrivals[0] > t0_h
    prep = prepare(builder, routes, demand, opts, days=days, seed=seed, closures=closures,
                   arrivals=(arrivals[0][keep], arrivals[1][keep]))
    if service_scale is not None:
        scale_services(prep.work, service_scale)
    w = _Warm(prep, obs, t0_h, origin, rng, closures, closure_h, closure_left)
    w.build()
    return WarmStart(prep, t0_h, w.index, w.problems)


def scale_services(W: tuple, m: np.ndarray) -> None:
    """Station s works ``m[s]`` times slower: service times, mean, gate spacing and drain time × m[s]."""
    si, sf = W[L.SI], W[L.SF]
    m = np.asarray(m, float)
    logn = si[:, L.S_DIST] == L.DIST_LOGNORMAL
    sf[logn, L.SF_A] += np.log(m[logn])
    sf[~logn, L.SF_A] *= m[~logn]
    for c in (L.SF_MEAN, L.SF_GATE_TRAIN, L.SF_GATE_TEU, L.SF_DRAIN_H):
        sf[:, c] *= m


class _Warm:
    def __init__(self, prep: Prepared, obs: list[Observation], t0: float, origin: datetime, rng: np.random.Generator,
                 closures: tuple[Closure, ...], closure_h: float, closure_left: Callable[[float, float], float] | None):
        self.prep, self.obs, self.t0, self.origin, self.rng = prep, obs, t0, origin, rng
        self.closures, self.closure_h, self.closure_left = closures, closure_h, closure_left
        self.b = prep.builder
        self.problems: list[Problem] = []
        self.index: dict[str, int] = {}
        self.vid = {v: i for i, v in enumerate(vessel_ids(self.b, prep.work[L.VI]))}
        self.aboard: dict[int, list[tuple[float, int, bool]]] = defaultdict(list)  # vessel → (boarded h, train, whole)
        self.vessel_last: dict[int, Observation] = {}

    def h(self, o: Observation) -> float:
        return hours_since(o.time, self.origin)

    def bad(self, o: Observation, name: str | None, msg: str) -> None:
        self.problems.append(Problem("observations", o.line, name, msg))

    def build(self) -> None:
        W = self.prep.work
        n_train = len({o.train_id for o in self.obs if o.train_id})
        self._grow(n_train)
        W = self.prep.work
        W[L.CTR][L.C_HSIZE] = 0  # a cold run's start events are replaced by those of the observed state
        self._closures()
        for o in self.obs:
            if o.vessel_id is not None and o.kind in (ObsKind.SAILED, ObsKind.VESSEL_READY, ObsKind.VESSEL_ARRIVED):
                if o.vessel_id not in self.vid:
                    self.bad(o, "vessel_id", f"unknown vessel '{o.vessel_id}' (fleet vessels are named link_id#k)")
                else:
                    self.vessel_last[self.vid[o.vessel_id]] = o
        by_train: dict[str, list[Observation]] = defaultdict(list)
        for o in self.obs:
            if o.train_id is not None and (o.kind != ObsKind.SAILED or o.vessel_id is None):
                by_train[o.train_id].append(o)
        pending: list[tuple[float, int, int, int]] = []  # (time, kind, a, b) pushed after sorting
        queues: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
        for k, (tid, rows) in enumerate(by_train.items()):
            self._train(tid, rows, k, queues, pending)
        self._queues(queues, pending)
        place_vessels(self, pending)
        self._slots()
        self._clock_events(pending)
        for t, kind, a, b_ in sorted(pending, key=lambda e: e[0]):
            push(W, t, kind, a, b_)

    def _grow(self, n: int) -> None:
        """Room for the observed trains (rows of the train arrays) and their events."""
        W = list(self.prep.work)
        for k, width in ((L.TI, L.T_NI), (L.TF, L.T_NF)):
            W[k] = np.concatenate([W[k], np.zeros((n + 1, width), W[k].dtype)])
        W[L.HT] = np.zeros(len(W[L.HT]) + 4 * n + 64)
        W[L.HI] = np.zeros((len(W[L.HT]), 4), np.int64)
        self.prep.work = L.Work(*W)

    def _closures(self) -> None:
        """Windows starting after t0 as the cold plan draws them, plus the closures observed in force at t0."""
        W = list(self.prep.work)
        windows = [w for w in self.prep.closures if w[1] > self.t0]
        open_: dict[tuple[str, str], Observation] = {}
        for o in self.obs:
            if o.kind in CLOSURE_KINDS:
                key = (o.closure_id or "", o.place or "")
                if o.kind in STARTS:
                    open_[key] = o
                else:
                    open_.pop(key, None)
        known = {c.closure_id: c for c in self.closures}
        for (cid, place), o in open_.items():
            start = self.h(o)
            nominal = known[cid].duration_days * 24.0 if cid in known else self.closure_h
            if o.until is not None:
                end = hours_since(o.until, self.origin)
            elif self.closure_left is not None:
                end = self.t0 + self.closure_left(nominal, self.t0 - start)
            else:
                end = start + nominal
            end = max(end, self.t0 + 1e-6)  # still in force at t0 (not yet observed to end)
            target = SimpleNamespace(target_kind=o.target_kind.value if o.target_kind else "node", target_id=place)
            windows += [(res, start, end, cid) for res in _targets(self.b, target)]  # type: ignore[arg-type]  # reads target_kind, target_id only
        n_res = len(self.b.stations) + len(self.b.vlinks)
        W[L.CLP], W[L.CLS], W[L.CLE] = _csr(windows, n_res)
        W[L.CLC] = np.zeros(n_res, np.int64)
        self.prep.work = L.Work(*W)
        self.prep.closures = windows

    def _route(self, flow_id: str, rows: list[Observation]) -> tuple[int, list[tuple[Observation, int]]] | None:
        """The route (and each station milestone's position on it) that fits the train's milestones, own route first."""
        stage_rows = [o for o in rows if o.kind not in (ObsKind.RECEIVED, ObsKind.DEPARTED, ObsKind.DELIVERED)]
        rst, ri = self.prep.work[L.RST], self.prep.work[L.RI]
        for r, spec in enumerate(self.prep.routes):
            if spec.flow.flow_id != flow_id or spec.dropped:
                continue
            pos, placed = int(ri[r, L.R_LO]), []
            for o in stage_rows:
                stage = "quay" if o.kind in (ObsKind.LOADED_ON_FERRY, ObsKind.SAILED) else (o.stage.value if o.stage else None)
                p = next((p for p in range(pos, int(ri[r, L.R_HI])) if station_matches(self.b, int(rst[p]), o.place, stage, o.node)), None)
                if p is None:
                    break
                placed.append((o, p))
                pos = p
            else:
                return r, placed
        return None

    def _train(self, tid: str, rows: list[Observation], k: int, queues, pending) -> None:
        W = self.prep.work
        ti, tf, ri, ctr = W[L.TI], W[L.TF], W[L.RI], W[L.CTR]
        if any(o.kind == ObsKind.DELIVERED for o in rows):
            return
        flow = next((o.flow_id for o in rows if o.flow_id), None)
        if flow is None:
            self.bad(rows[0], "flow_id", f"train '{tid}': no 'departed' or 'received' row names its demand flow")
            return
        found = self._route(flow, rows)
        if found is None:
            self.bad(rows[-1], "place", f"train '{tid}': its milestones do not follow any route of flow '{flow}'")
            return
        r, placed = found
        dep = next((o for o in rows if o.kind == ObsKind.DEPARTED), None)
        rec = [o for o in rows if o.kind == ObsKind.RECEIVED]
        tr = int(ctr[L.C_NTRAINS])
        ctr[L.C_NTRAINS] = tr + 1
        self.index[tid] = tr
        ti[tr, L.T_ROUTE], ti[tr, L.T_NEXT], ti[tr, L.T_PARTS] = r, -1, 0
        tf[tr, L.TF_ARRIVE] = -1.0
        if dep is None:  # forming at the origin
            ti[tr, L.T_POS], ti[tr, L.T_NCONT] = -1, len(rec)
            tf[tr, L.TF_LOAD] = sum(o.teu or 0.0 for o in rec)
            tf[tr, L.TF_FORMED], tf[tr, L.TF_DEPART] = self.h(rec[0]), -1.0
            ri[r, L.R_FORM] = tr
            ctr[L.C_GEN] += len(rec)
            return
        ti[tr, L.T_NCONT] = dep.containers or 0
        tf[tr, L.TF_LOAD] = dep.teu or 0.0
        tf[tr, L.TF_FORMED] = self.h(rec[0]) if rec else self.h(dep)
        tf[tr, L.TF_DEPART] = self.h(dep)
        ctr[L.C_GEN] += ti[tr, L.T_NCONT]
        green = dep.green if dep.green is not None else self.rng.uniform() < W[L.PAR][L.P_GSHARE]
        ti[tr, L.T_GREEN] = int(green)
        hi = int(ri[r, L.R_HI])
        pos, state, since = int(ri[r, L.R_LO]), "queued", self.h(dep)
        quay_rows: list[tuple[Observation, int]] = []
        for o, p in placed:
            if p != pos:
                quay_rows = []
            if o.kind in END_KINDS:
                pos, state, since = p + 1, "queued", self.h(o)
            elif o.kind == ObsKind.ARRIVED:
                pos, state, since = p, "queued", self.h(o)
            elif o.kind == ObsKind.STARTED:
                pos, state, since = p, "service", self.h(o)
            else:
                pos = p
                quay_rows.append((o, p))
        if pos >= hi:
            ctr[L.C_NTRAINS] = tr  # finished its route: delivered, though not observed so; nothing left to simulate
            del self.index[tid]
            ctr[L.C_GEN] -= ti[tr, L.T_NCONT]
            return
        ti[tr, L.T_POS] = pos
        for p in range(pos, hi):
            W[L.SI][W[L.RST][p], L.S_COMMIT] += 1
        s = int(W[L.RST][pos])
        if quay_rows:
            state = at_quay(self, tr, s, [o for o, _ in quay_rows], pending)
            if state == "landed":  # all of it sailed and landed: it waits at the next station
                W[L.SI][s, L.S_COMMIT] -= 1
                pos, state, since = pos + 1, "queued", self.t0
                if pos >= hi:
                    tf[tr, L.TF_ARRIVE] = self.t0
                    return
                ti[tr, L.T_POS], s = pos, int(W[L.RST][pos])
        if state == "queued":
            queues[s].append((since, k, tr))
        elif state == "service":
            self._in_service(tr, s, since, pending)

    def _in_service(self, tr: int, s: int, since: float, pending) -> None:
        W = self.prep.work
        si, sf = W[L.SI], W[L.SF]
        si[s, L.S_BUSY] += 1
        factor = W[L.PAR][L.P_GFACTOR] if W[L.TI][tr, L.T_GREEN] == 1 and si[s, L.S_GREEN] == 1 else 1.0
        x = residual(int(si[s, L.S_DIST]), sf[s, L.SF_A], sf[s, L.SF_B], (self.t0 - since) / factor, self.rng) * factor
        pending.append((since + x, L.EV_END, tr, s))

    def _queues(self, queues, pending) -> None:
        W = self.prep.work
        si, ti, tf = W[L.SI], W[L.TI], W[L.TF]
        for s, items in queues.items():
            for since, _, tr in sorted(items, key=lambda x: (x[0], x[1])):
                append_train(ti, si, s, L.S_QHEAD, L.S_QTAIL, tr)
                si[s, L.S_QLEN] += 1
                tf[tr, L.TF_ENTER] = since
            if si[s, L.S_KIND] == L.KIND_SERVER:
                si[s, L.S_RETRY] = 1
                pending.append((self.t0, L.EV_RETRY, s, 0))

    def _slots(self) -> None:
        sf = self.prep.work[L.SF]
        for o in self.obs:
            if o.kind == ObsKind.NEXT_SLOT and o.until is not None:
                s = find_station(self.b, o.place or "", o.stage.value if o.stage else "", o.node)
                if s is None:
                    self.bad(o, "place", f"no station ({o.stage}) at '{o.place}' in the simulated routes")
                else:
                    sf[s, L.SF_NEXT_GATE] = hours_since(o.until, self.origin)

    def _clock_events(self, pending) -> None:
        """Samples, scheduled train slots and timetabled sailings after t0, on the cold run's clock (same sums)."""
        W = self.prep.work
        par, rf, lf, li = W[L.PAR], W[L.RF], W[L.LF], W[L.LI]
        end, t0 = par[L.P_TEND], self.t0
        t, k = 0.0, 0
        while t <= t0:
            t, k = t + par[L.P_SAMPLE], k + 1
        W[L.CTR][L.C_SAMPLE] = k
        if t <= end + 1e-9:
            pending.append((t, L.EV_SAMPLE, 0, 0))
        for r in range(len(rf)):
            t = rf[r, L.RF_PHASE_H]
            while t <= t0:
                t += rf[r, L.RF_SCHED_H]
            if t <= end:
                pending.append((t, L.EV_TICK, r, 0))
        for j, spec in enumerate(self.b.vlinks):
            if not spec.timetable:
                continue
            for side in (0, 1):
                if li[j, L.L_ST0 + side] < 0:
                    continue
                t = lf[j, L.LF_FIRST] % lf[j, L.LF_PERIOD]
                while t <= t0:
                    t += lf[j, L.LF_PERIOD]
                if t <= end:
                    pending.append((t, L.EV_SAIL, j, side))
