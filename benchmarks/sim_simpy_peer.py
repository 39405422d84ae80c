"""The silkway capacity model written process-style with SimPy: the peer of the compiled engine.

Same scenario, same inputs: it takes the plan silkway compiles (stations, routes, vessel links), the same
container arrivals and the same closure windows, and implements the dynamics as SimPy processes:
a FIFO turnstile per station (closures, throughput gate), a server pool, one process per train, one per
vessel, one per timetabled sailing, one per consolidation schedule. Service times are drawn from numpy
generators (different streams from the kernel), so results agree statistically, not bit for bit.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import simpy

from silkway.simulation import _layout as L
from silkway.simulation.engine import Prepared

DIST_DRAW = {L.DIST_ZERO: lambda _rng, _a, _b: 0.0, L.DIST_DET: lambda _rng, a, _b: a,
             L.DIST_LOGNORMAL: lambda rng, a, b: math.exp(a + b * rng.standard_normal()),
             L.DIST_EXP: lambda rng, a, _b: rng.exponential(a)}


class Windows:
    def __init__(self, starts: list[float], ends: list[float]):
        self.starts, self.ends = starts, ends

    def until(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        return self.ends[i] if i >= 0 and self.ends[i] > t else -1.0


class Peer:
    def __init__(self, prep: Prepared, seed: int):
        W = prep.work
        self.prep, self.env = prep, simpy.Environment()
        self.rng = np.random.default_rng(seed)
        self.si, self.sf, self.lf = W.si.copy(), W.sf.copy(), W.lf.copy()
        clp, cls, cle = W.clp, W.cls, W.cle
        self.win = [Windows(list(cls[clp[r]:clp[r + 1]]), list(cle[clp[r]:clp[r + 1]])) for r in range(len(clp) - 1)]
        n_st = len(self.si)
        self.turnstile = [simpy.Resource(self.env, 1) for _ in range(n_st)]
        self.servers = [simpy.Resource(self.env, int(c)) if c > 0 else None for c in self.si[:, L.S_SERVERS]]
        self.next_gate = [0.0] * n_st
        self.served = np.zeros(n_st, np.int64)
        self.warm, self.t_end = prep.warmup_h, prep.horizon_h
        self.quay = {}  # station -> list of (train, event)
        self.quay_signal = {}
        self.teu_moved = np.zeros(len(self.lf))
        self.routes = [list(r.stations) for r in prep.routes]
        self.cap_teu = W.rf[:, L.RF_CAP_TEU]
        self.forming: dict[int, list] = {}
        self.trains: list[dict] = []
        self.delivered_teu = 0.0
        self.model_events = 0

    # --- trains at stations -------------------------------------------------
    def visit(self, train: dict, s: int):
        env, si, sf = self.env, self.si, self.sf
        enter = env.now
        kind = si[s, L.S_KIND]
        if kind != L.KIND_SERVER:
            ev = env.event()
            self.quay.setdefault(s, []).append((train, ev))
            sig = self.quay_signal.get(s)
            if sig is not None and not sig.triggered:
                sig.succeed()
            resume_at = yield ev
            self._count(s, enter, train)
            yield env.timeout(resume_at - env.now)
            return
        with self.turnstile[s].request() as turn:
            yield turn
            while True:
                until = self.win[si[s, L.S_RES]].until(env.now)
                if until < 0 and env.now < self.next_gate[s]:
                    until = self.next_gate[s]
                if until < 0:
                    break
                yield env.timeout(until - env.now)
            srv = self.servers[s].request() if self.servers[s] is not None else None
            if srv is not None:
                yield srv
            self.next_gate[s] = env.now + sf[s, L.SF_GATE_TRAIN] + sf[s, L.SF_GATE_TEU] * train["load"]
            self._count(s, enter, train)
        x = DIST_DRAW[si[s, L.S_DIST]](self.rng, sf[s, L.SF_A], sf[s, L.SF_B])
        if train["green"] and si[s, L.S_GREEN]:
            x *= self.prep.options.green_channel_factor
        yield env.timeout(x)
        self.model_events += 1
        if srv is not None:
            self.servers[s].release(srv)

    def _count(self, s: int, enter: float, train: dict) -> None:
        train["wait"] += self.env.now - enter
        if self.env.now >= self.warm:
            self.served[s] += 1

    def run_train(self, train: dict):
        train["depart"] = self.env.now
        train["green"] = self.rng.random() < self.prep.options.green_channel_share
        for s in self.routes[train["route"]]:
            yield from self.visit(train, s)
        train["arrive"] = self.env.now
        if self.env.now >= self.warm:
            self.delivered_teu += train["load"]

    # --- consolidation --------------------------------------------------------
    def dispatch(self, r: int) -> None:
        train = self.forming.pop(r)
        self.env.process(self.run_train(train))

    def shipments(self):
        W = self.prep.work
        times, routes, teu = W.sht, W.shr, W.shteu
        for i in range(len(times)):
            yield self.env.timeout(times[i] - self.env.now)
            self.model_events += 1
            r, x = int(routes[i]), float(teu[i])
            tr = self.forming.get(r)
            if tr is not None and tr["load"] + x > self.cap_teu[r] + 1e-9:
                self.dispatch(r)
                tr = None
            if tr is None:
                tr = self.forming[r] = {"route": r, "load": 0.0, "n": 0, "wait": 0.0, "formed": self.env.now, "arrive": -1.0}
                self.trains.append(tr)
            tr["load"] += x
            tr["n"] += 1
            if tr["load"] + x > self.cap_teu[r] + 1e-9:
                self.dispatch(r)

    def ticks(self, r: int, phase: float, period: float):
        yield self.env.timeout(phase)
        while True:
            self.model_events += 1
            tr = self.forming.get(r)
            if tr is not None and tr["load"] > 0:
                self.dispatch(r)
            if self.env.now + period > self.t_end:
                return
            yield self.env.timeout(period)

    # --- vessels -----------------------------------------------------------------
    def board(self, s: int, load: float, cap: float, arrival_of_train) -> tuple[float, bool]:
        q = self.quay.get(s, [])
        while q:
            train, ev = q[0]
            if load > 0 and load + train["load"] > cap + 1e-9:
                return load, True
            q.pop(0)
            load += train["load"]
            arrival_of_train.append(ev)
        return load, False

    def vessel(self, j: int, side: int, berths: list):
        env, lf, li = self.env, self.lf, self.prep.work.li
        cap, full = lf[j, L.LF_CAP], self.prep.options.vessel_full_ratio
        while True:
            with berths[side].request() as berth:
                yield berth
                self.model_events += 1
                deadline = env.now + lf[j, L.LF_MAXWAIT]
                s = li[j, L.L_ST0 + side]
                load, aboard = 0.0, []
                while True:
                    more = False
                    if s >= 0:
                        load, more = self.board(s, load, cap, aboard)
                    if more or load >= full * cap - 1e-9 or env.now >= deadline:
                        until = self.win[li[j, L.L_RES]].until(env.now)
                        if until < 0:
                            break
                        yield env.timeout(until - env.now)
                        deadline = env.now
                        continue
                    sig = self.quay_signal[s] = env.event() if s >= 0 else None
                    yield (sig | env.timeout(deadline - env.now)) if sig is not None else env.timeout(deadline - env.now)
            sail = math.exp(lf[j, L.LF_MU] + lf[j, L.LF_SIGMA] * self.rng.standard_normal())
            if env.now >= self.warm:
                self.teu_moved[j] += load
            turn = lf[j, L.LF_TURN0 + side]
            yield env.timeout(sail)
            self.model_events += 1
            for ev in aboard:
                ev.succeed(env.now + turn)
            yield env.timeout(turn)
            side = 1 - side

    def sailings(self, j: int, side: int):
        env, lf, li = self.env, self.lf, self.prep.work.li
        yield env.timeout(lf[j, L.LF_FIRST] % lf[j, L.LF_PERIOD])
        while True:
            self.model_events += 1
            s = li[j, L.L_ST0 + side]
            if self.win[li[j, L.L_RES]].until(env.now) < 0 and s >= 0:
                sail = math.exp(lf[j, L.LF_MU] + lf[j, L.LF_SIGMA] * self.rng.standard_normal())
                aboard: list = []
                load, _ = self.board(s, 0.0, lf[j, L.LF_CAP], aboard)
                for ev in aboard:
                    ev.succeed(env.now + sail + lf[j, L.LF_TURN0 + side])
                if env.now >= self.warm:
                    self.teu_moved[j] += load
            if env.now + lf[j, L.LF_PERIOD] > self.t_end:
                return
            yield env.timeout(lf[j, L.LF_PERIOD])

    def run(self) -> Peer:
        W, env = self.prep.work, self.env
        env.process(self.shipments())
        rf = W.rf
        for r in range(len(rf)):
            env.process(self.ticks(r, rf[r, L.RF_PHASE_H], rf[r, L.RF_SCHED_H]))
        vi = W.vi
        berths = {}
        for j, spec in enumerate(self.prep.builder.vlinks):
            if spec.timetable:
                for side in (0, 1):
                    env.process(self.sailings(j, side))
            else:
                berths[j] = [simpy.Resource(env, 1), simpy.Resource(env, 1)]
        for v in range(len(vi)):
            env.process(self.vessel(int(vi[v, L.V_LINK]), int(vi[v, L.V_SIDE]), berths[int(vi[v, L.V_LINK])]))
        env.run(until=self.t_end + 1e-9)
        return self

    def kpis(self) -> dict[str, float]:
        specs = self.prep.builder.stations
        out = {"delivered_teu": self.delivered_teu}
        borders: dict[str, int] = {}
        fac = self.prep.builder.net.facility_by_id
        for i, s in enumerate(specs):
            if s.target in fac and fac[s.target].facility_kind == "border" and s.kind in ("handling", "customs"):
                borders[s.node_id] = max(borders.get(s.node_id, 0), int(self.served[i]))
        out.update({f"trains_border_{k}": float(v) for k, v in borders.items()})
        casp = self.prep.builder.net
        teu = 0.0
        for j, spec in enumerate(self.prep.builder.vlinks):
            lk = casp.link_by_id[spec.link_id]
            if {casp.node_by_id[lk.from_node].country, casp.node_by_id[lk.to_node].country} <= {"KZ", "TM", "AZ"}:
                teu += self.teu_moved[j]
        out["trans_caspian_teu"] = teu
        done = [t for t in self.trains if t["arrive"] >= 0 and t.get("depart", -1) >= self.warm] if self.trains else []
        out["train_transit_days_mean"] = float(np.mean([(t["arrive"] - t["depart"]) / 24 for t in done])) if done else float("nan")
        return out
