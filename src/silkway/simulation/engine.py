"""Set up the kernel's arrays from a plan, run them in chunks (progress), hand back the raw state."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from silkway.errors import SimulationError
from silkway.network.model import Closure
from silkway.network.seasons import seasonal_starts
from silkway.simulation import _layout as L
from silkway.simulation._kernel import push, run_until
from silkway.simulation._layout import Work, check_work
from silkway.simulation._rng import stream_states
from silkway.simulation.arrivals import generate
from silkway.simulation.core import Progress
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions
from silkway.simulation.plan import PlanBuilder, RouteSpec, station_arrays


@dataclass
class Prepared:
    builder: PlanBuilder
    routes: list[RouteSpec]
    demand: Demand
    options: SimOptions
    horizon_h: float
    warmup_h: float
    work: Work
    closures: list[tuple[int, float, float, str]]  # (resource, start_h, end_h, closure_id)
    booking: Booked | None = None  # booking at the origin (fixed mode with options.booking)


@dataclass
class Booked:
    """Every container generated (also the refused ones) and what booking did with it; ``kernel`` = the index each
    released container has in the kernel's shipment arrays (sorted by release), -1 for a refused one."""

    created_h: np.ndarray
    own_route: np.ndarray
    route: np.ndarray
    release_h: np.ndarray
    status: np.ndarray
    kernel: np.ndarray
    hold_h: np.ndarray


def prepare(builder: PlanBuilder, routes: list[RouteSpec], demand: Demand, options: SimOptions, *, days: float, seed: int,
            closures: tuple[Closure, ...], arrivals: tuple[np.ndarray, np.ndarray] | None = None) -> Prepared:
    warm_h = options.warmup_days * 24.0
    horizon = warm_h + days * 24.0
    seq_arr, seq_cl, seq_streams, seq_misc = np.random.SeedSequence(seed).spawn(4)
    if arrivals is None:
        arrivals = generate(demand, horizon, warm_h, options.container_teu, np.random.default_rng(seq_arr))
    sh_t, sh_flow = arrivals
    dropped = np.array([r.dropped for r in routes[: len(demand.flows)]] + [False], dtype=bool)
    if dropped.any():
        keep = ~dropped[sh_flow]
        sh_t, sh_flow = sh_t[keep], sh_flow[keep]
    booked = None
    if options.booking and options.route_mode == "fixed" and len(sh_t):
        booked, sh_t, sh_flow = _book(builder, routes, options, sh_t, sh_flow, horizon, np.random.default_rng(seq_misc.spawn(1)[0]))
    si, sf = station_arrays(builder)
    n_st, n_vl = len(builder.stations), len(builder.vlinks)
    windows = closure_windows(builder, closures, horizon, warm_h, seq_cl, options.deterministic)
    clp, cls, cle = _csr(windows, n_st + n_vl)
    ri, rf, rst, gp, gr, sh_route, sh_group = _route_arrays(builder, routes, options, sh_flow, np.random.default_rng(seq_misc))
    vi, vf, li, lf = _vessel_arrays(builder)
    max_trains = _max_trains(rf, sh_route, options, horizon)
    n_samples = int(math.floor(horizon / options.sample_hours + 1e-9)) + 1
    hcap = max_trains + n_st + len(routes) + 16 * len(vi) + 4 * n_vl + 1024
    par = np.array([horizon, warm_h, options.green_channel_share, options.green_channel_factor, options.vessel_full_ratio,
                    options.adaptive_refresh_hours, options.sample_hours, n_st + n_vl + 1], dtype=np.float64)
    work = Work(
        si=si, sf=sf, ti=np.zeros((max_trains, L.T_NI), np.int64), tf=np.zeros((max_trains, L.T_NF)), ri=ri, rf=rf, rst=rst,
        vi=vi, vf=vf, li=li, lf=lf, clp=clp, cls=cls, cle=cle, clc=np.zeros(n_st + n_vl, np.int64),
        ht=np.zeros(hcap), hi=np.zeros((hcap, 4), np.int64), ctr=np.zeros(L.C_N, np.int64),
        rs=stream_states(seq_streams, n_st + n_vl + 1), gp=gp, gr=gr, gb=np.full(len(gp) - 1, -1, np.int64),
        gbt=np.zeros(len(gp) - 1), par=par, sht=np.ascontiguousarray(sh_t, dtype=np.float64), shr=sh_route, shg=sh_group,
        shtr=np.full(len(sh_t), -1, np.int64), shteu=np.full(len(sh_t), options.container_teu),
        sq=np.zeros((n_samples, n_st), np.int32), sc=np.zeros((n_samples, L.SC_N)))
    check_work(work, {"stations": n_st, "vlinks": n_vl, "trains": max_trains, "routes": len(routes), "heap": hcap,
                      "shipments": len(sh_t), "samples": n_samples, "groups": len(gp) - 1, "vessels": len(vi)})
    _initial_events(work, builder, routes)
    return Prepared(builder, routes, demand, options, horizon, warm_h, work, windows, booked)


def _book(b: PlanBuilder, routes: list[RouteSpec], options: SimOptions, sh_t: np.ndarray, sh_route: np.ndarray, horizon: float,
          rng: np.random.Generator) -> tuple[Booked, np.ndarray, np.ndarray]:
    """Book the containers' trains (booking.py); the kernel gets the released ones, sorted by release time."""
    from silkway.simulation.booking import REFUSED, book, group_order

    train_teu = options.train_teu or b.net.param.get("train_teu", 100.0)
    res = book(b, routes, sh_t, sh_route, train_teu=train_teu, container_teu=options.container_teu, horizon_h=horizon,
               patience_days=options.patience_days, utilisation=options.booking_utilisation, slack_h=options.booking_slack_hours,
               value_of_time_usd_day=options.value_of_time_usd_day, logit_usd=options.logit_usd, rng=rng)
    kept = np.flatnonzero(res.status != REFUSED)
    by_route = kept[group_order(res.route[kept], len(routes))]  # by release time, then route: two stable sorts
    order = by_route[np.argsort(res.release_h[by_route], kind="stable")]
    kernel = np.full(len(sh_t), -1, np.int64)
    kernel[order] = np.arange(len(order))
    booked = Booked(sh_t.copy(), sh_route.copy(), res.route, res.release_h, res.status, kernel, res.hold_h)
    return booked, res.release_h[order], res.route[order]


def run(prep: Prepared, progress: Progress | None = None, chunk_days: float = 10.0) -> Prepared:
    check_work(prep.work)  # once with the indices; advance checks dtypes and shapes before every chunk
    t, total = 0.0, prep.horizon_h
    while True:
        t = min(total, t + chunk_days * 24.0)
        advance(prep, t)
        if progress is not None:
            progress(t / 24.0, total / 24.0)
        if t >= total:
            return prep


def advance(prep: Prepared, t_stop: float) -> int:
    """Run the kernel on ``prep.work`` up to hour ``t_stop`` (every event at or before it); return the events processed.
    The arrays' dtypes and shapes are checked first (their indices by ``prepare`` and ``run``: the kernel never writes
    them); a capacity the kernel ran out of is a SimulationError."""
    check_work(prep.work, indices=False)
    done = int(run_until(prep.work, t_stop))
    if prep.work.ctr[L.C_ERROR] != L.ERR_NONE:
        raise SimulationError(_capacity_message(prep.work, t_stop))
    return done


_REPORT = ("It is computed so that every run fits; please report the run (dataset, demand, options, seed) as a bug. "
           "Until it is fixed, a shorter run (days) or a lower demand avoids it.")


def _capacity_message(W: Work, t_stop: float) -> str:
    """What the kernel ran out of (W.ctr[C_ERROR]), its size and what to do; the run stopped before writing past it."""
    code = int(W.ctr[L.C_ERROR])
    what = {
        L.ERR_TRAINS: f"train slots: the train arrays hold {len(W.ti)} trains (engine._max_trains: each route's full trains "
                      "plus one train per scheduled departure; in adaptive mode one per container)",
        L.ERR_HEAP: f"event slots: the event heap holds {len(W.ht)} events (engine.prepare's hcap: train slots + stations + "
                    "routes + 16 per vessel + 4 per vessel link + 1024)",
        L.ERR_SAMPLES: f"sample rows: the sample arrays hold {len(W.sc)} samples (one per sample_hours of the horizon, plus "
                       "the one at hour 0)",
        L.ERR_VESSEL_PART: "vessel part slots: a vessel can carry a part of only one train (V_PART), and a second part "
                           "would have boarded",
    }.get(code, f"an unknown capacity (error code {code})")
    return f"simulation kernel ran out of {what} before hour {t_stop:g}; it stopped without writing past the end. {_REPORT}"


def closure_windows(b: PlanBuilder, closures: tuple[Closure, ...], horizon: float, warm_h: float, seq: np.random.SeedSequence,
                    deterministic: bool) -> list[tuple[int, float, float, str]]:
    out = []
    tables = {"node": b.net.node_by_id, "link": b.net.link_by_id, "facility": b.net.facility_by_id}
    for c in closures:
        if c.target_id not in tables.get(c.target_kind, {}):
            raise SimulationError(f"closure '{c.closure_id}': unknown {c.target_kind} '{c.target_id}'")
    children = seq.spawn(max(1, len(closures)))
    for c, child in zip(closures, children, strict=False):
        rng = np.random.default_rng(child)
        dur = c.duration_days * 24.0
        if c.kind == "random":
            if deterministic or not c.events_per_year:
                continue
            if c.month_weights:  # seasonal: the rate of each month (network/seasons.py); hour warm_h is 1 January
                starts = seasonal_starts(c, horizon, warm_h, rng)
            else:
                n = rng.poisson(c.events_per_year * horizon / (365.0 * 24.0))
                starts = np.sort(rng.uniform(0.0, horizon, size=n))
        else:
            first = warm_h + ((c.start_day_of_year or 1) - 1) * 24.0
            k0 = -math.ceil(warm_h / 8760.0)
            starts = np.array([first + k * 8760.0 for k in range(k0, int(horizon / 8760.0) + 2)])
            starts = starts[(starts + dur > 0) & (starts < horizon)]
        for res in _targets(b, c):
            out += [(res, float(s), float(s) + dur, c.closure_id) for s in starts]
    return out


def _targets(b: PlanBuilder, c: Closure) -> list[int]:
    n_st = len(b.stations)
    res = []
    for i, s in enumerate(b.stations):
        if c.target_kind == "node" and c.target_id in s.nodes and s.kind != "quay":
            res.append(i)
        elif c.target_kind in ("facility", "link") and c.target_id in s.target.split("+") and s.kind != "quay":  # a pooled yard closes whole
            res.append(i)
    for j, v in enumerate(b.vlinks):
        lk = b.net.link_by_id[v.link_id]
        if (c.target_kind == "link" and c.target_id == v.link_id) or (c.target_kind == "node" and c.target_id in (lk.from_node, lk.to_node)):
            res.append(n_st + j)
    return res


def _csr(windows: list[tuple[int, float, float, str]], n_res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    per: list[list[tuple[float, float]]] = [[] for _ in range(n_res)]
    for res, s, e, _ in windows:
        per[res].append((s, e))
    ptr, starts, ends = [0], [], []
    for items in per:
        merged: list[list[float]] = []
        for s, e in sorted(items):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        starts += [m[0] for m in merged]
        ends += [m[1] for m in merged]
        ptr.append(len(starts))
    return np.array(ptr, np.int64), np.array(starts, np.float64), np.array(ends, np.float64)


def _route_arrays(b: PlanBuilder, routes: list[RouteSpec], options: SimOptions, sh_flow: np.ndarray, rng: np.random.Generator):
    train_teu = options.train_teu or b.net.param.get("train_teu", 100.0)
    n = len(routes)
    ri = np.zeros((n, L.R_NI), np.int64)
    rf = np.zeros((n, L.R_NF))
    rst = np.array([s for r in routes for s in r.stations], dtype=np.int64)
    groups: dict[tuple[str, str], list[int]] = {}
    lo = 0
    for k, r in enumerate(routes):
        road = any(b.net.link_by_id[leg.link_id].mode == "road" for leg in r.path.legs)
        nodes = b.net.node_by_id
        west = nodes[r.flow.destination].lon < nodes[r.flow.origin].lon
        ri[k] = (lo, lo + len(r.stations), -1, 0, 0 if west else 1)
        rf[k] = (options.container_teu if road else train_teu, options.schedule_days * 24.0, 0.0, r.base_h)
        lo += len(r.stations)
        groups.setdefault((r.flow.origin, r.flow.destination), []).append(k)
    rf[:, L.RF_PHASE_H] = rng.uniform(0.0, options.schedule_days * 24.0, size=n)
    gp, gr = [0], []
    for g, members in enumerate(groups.values()):
        ri[members, L.R_GROUP] = g
        gr += members
        gp.append(len(gr))
    sh_group = ri[sh_flow, L.R_GROUP] if len(sh_flow) else np.empty(0, np.int64)
    sh_route = np.full(len(sh_flow), -1, np.int64) if options.route_mode == "adaptive" else sh_flow.astype(np.int64)
    return ri, rf, rst, np.array(gp, np.int64), np.array(gr, np.int64), sh_route, np.ascontiguousarray(sh_group, dtype=np.int64)


def _vessel_arrays(b: PlanBuilder):
    n_st = len(b.stations)
    fleet = [(j, v) for j, spec in enumerate(b.vlinks) if not spec.timetable for v in range(spec.fleet)]
    vi = np.zeros((len(fleet), L.V_NI), np.int64)
    vf = np.zeros((len(fleet), L.V_NF))
    for i, (j, k) in enumerate(fleet):
        vi[i] = (j, k % 2, 0, -1, -1, -1, 0, -1)
    li = np.full((len(b.vlinks), L.L_NI), -1, np.int64)
    lf = np.zeros((len(b.vlinks), L.L_NF))
    for j, v in enumerate(b.vlinks):
        li[j, L.L_MODE], li[j, L.L_ST0], li[j, L.L_ST1], li[j, L.L_RES] = int(v.timetable), v.stations[0], v.stations[1], n_st + j
        lf[j, :L.LF_TEU_MOVED] = (v.cap_teu[0], v.mu, v.sigma, v.turn_h[0], v.turn_h[1], v.max_wait_h, v.period_h, v.first_h)
        lf[j, L.LF_CAP1], lf[j, L.LF_BG_T0], lf[j, L.LF_BG_T1] = v.cap_teu[1], v.background_t[0], v.background_t[1]
    return vi, vf, li, lf


def _max_trains(rf: np.ndarray, sh_route: np.ndarray, options: SimOptions, horizon: float) -> int:
    per_full = np.maximum(1, np.floor(rf[:, L.RF_CAP_TEU] / options.container_teu + 1e-9))
    ticks = int(len(rf) * (horizon / (options.schedule_days * 24.0) + 2))
    if len(sh_route) and sh_route[0] >= 0:
        full = int(np.sum(np.bincount(sh_route, minlength=len(rf)) / per_full))
    else:
        full = len(sh_route)  # adaptive: route choice unknown in advance; bound by containers
    return full + ticks + len(rf) + 16


def _initial_events(work: Work, b: PlanBuilder, routes: list[RouteSpec]) -> None:
    rf, vi, lf = work.rf, work.vi, work.lf
    push(work, 0.0, L.EV_SAMPLE, 0, 0)
    for r in range(len(routes)):
        push(work, rf[r, L.RF_PHASE_H], L.EV_TICK, r, 0)
    for v in range(len(vi)):
        push(work, 0.0, L.EV_VREADY, v, 0)
    for j, spec in enumerate(b.vlinks):
        if spec.timetable:
            for side in (0, 1):
                if spec.stations[side] >= 0:
                    push(work, lf[j, L.LF_FIRST] % lf[j, L.LF_PERIOD], L.EV_SAIL, j, side)
