"""The compiled event loop: a binary heap of (time, sequence, event) in numpy arrays, run by numba.

All state lives in the arrays of ``W``, a :class:`~silkway.simulation._layout.Work` built by
:mod:`silkway.simulation.engine`, so the loop can stop after any time and resume: ``run_until(W, t)`` processes every
event at or before ``t``, so chunked runs (progress bar) equal one run to the end. Two sources of events are merged
in time order: the shipments (containers ready at their origin), read in order from the sorted arrays ``W.sht``…, and
the heap. At equal times a shipment comes before any heap event, shipments in array order, and heap events in the
order they were scheduled (their sequence number). Nothing depends on the wall clock or on memory addresses, so a
run is a pure function of its inputs and seed.

Station primitives live in ``_station``, vessel handlers in ``_vessels``; the hot ones are inlined here
(``inline="always"``). numba's on-disk cache would only track each function's own file; every compiled function of
the kernel modules gets a cache stamped with all of them (``_cache``), so editing any kernel file recompiles.
A handler that runs out of an array (trains, heap, samples) sets ``W.ctr[C_ERROR]`` instead of writing past its end;
the loop then stops and ``engine.advance`` raises.
"""

from __future__ import annotations

import sys

from numba import njit

from silkway.simulation import _layout as L
from silkway.simulation._cache import cache_on_kernel_sources
from silkway.simulation._heap import pop, push
from silkway.simulation._layout import P_GSHARE, P_NSTREAM, P_REFRESH, P_SAMPLE, P_TEND, P_WARM
from silkway.simulation._rng import uniform
from silkway.simulation._station import closed_at, closed_until, dequeue, draw, enqueue
from silkway.simulation._vessels import sail, v_arrive, v_board, v_depart, v_ready


@njit(cache=True, _nrt=False, inline="always")
def try_start(W, s, t):
    si, sf, tf, ti = W.si, W.sf, W.tf, W.ti
    while si[s, L.S_QLEN] > 0:
        until = closed_until(W, si[s, L.S_RES], t)
        if until < 0 and t < sf[s, L.SF_NEXT_GATE]:
            until = sf[s, L.SF_NEXT_GATE]
        if until >= 0:
            if si[s, L.S_RETRY] == 0:
                si[s, L.S_RETRY] = 1
                push(W, until, L.EV_RETRY, s, 0)
            return
        if si[s, L.S_SERVERS] > 0 and si[s, L.S_BUSY] >= si[s, L.S_SERVERS]:
            return
        train = dequeue(W, s, t)
        si[s, L.S_BUSY] += 1
        # two independent limits (trains/day, TEU/day): the tighter one spaces the starts
        sf[s, L.SF_NEXT_GATE] = t + max(sf[s, L.SF_GATE_TRAIN], sf[s, L.SF_GATE_TEU] * tf[train, L.TF_LOAD])
        x = draw(W, s, ti[train, L.T_GREEN] == 1)
        if t >= W.par[P_WARM]:
            sf[s, L.SF_SERVICE_SUM] += x
        push(W, t + x, L.EV_END, train, s)


@njit(cache=True, _nrt=False, inline="always")
def arrive(W, train, t):
    """The train reaches the station at its current route position and joins its queue; a server station starts
    what it can, a fleet quay boards the loading vessel, a timetabled quay waits for the next sailing. The station's
    maximum queue (after the warm-up) counts the trains left waiting once the arrival is handled (a train that starts
    service or boards at once never counts as queued)."""
    ti, rst, si = W.ti, W.rst, W.si
    s = rst[ti[train, L.T_POS]]
    enqueue(W, s, train, t)
    k = si[s, L.S_KIND]
    if k == L.KIND_SERVER:
        try_start(W, s, t)
    elif k == L.KIND_FLEET:
        v_board(W, si[s, L.S_VLINK], si[s, L.S_SIDE], t)
    if t >= W.par[P_WARM] and si[s, L.S_QLEN] > si[s, L.S_QMAX]:
        si[s, L.S_QMAX] = si[s, L.S_QLEN]


@njit(cache=True, _nrt=False, inline="always")
def advance(W, train, t):
    ti, ri, tf, ctr = W.ti, W.ri, W.tf, W.ctr
    W.si[W.rst[ti[train, L.T_POS]], L.S_COMMIT] -= 1
    ti[train, L.T_POS] += 1
    if ti[train, L.T_POS] >= ri[ti[train, L.T_ROUTE], L.R_HI]:
        tf[train, L.TF_ARRIVE] = t
        ctr[L.C_DELIV] += ti[train, L.T_NCONT]
        ctr[L.C_DELIV_TEU] += int(round(tf[train, L.TF_LOAD] * 1000.0))
    else:
        arrive(W, train, t)


@njit(cache=True, _nrt=False, inline="always")
def dispatch(W, train, t):
    ti, tf, ri, rs, rs_ = W.ti, W.tf, W.ri, W.rs, W.rst
    r = ti[train, L.T_ROUTE]
    ri[r, L.R_FORM] = -1
    tf[train, L.TF_DEPART] = t
    for p in range(ri[r, L.R_LO], ri[r, L.R_HI]):
        W.si[rs_[p], L.S_COMMIT] += 1
    ti[train, L.T_GREEN] = 1 if uniform(rs, int(W.par[P_NSTREAM]) - 1) < W.par[P_GSHARE] else 0
    ti[train, L.T_POS] = ri[r, L.R_LO]
    arrive(W, train, t)


@njit(cache=True, _nrt=False)
def expected_h(W, r, t):
    """Expected time on route r for a train leaving now (a fluid estimate, docs/simulation.md): the route's base
    time, plus at each station the backlog still there when the train would reach it (trains committed to the
    station, queued or on their way, × the station's hours per train, minus the time to get there), plus the rest
    of any closure the train would meet."""
    ri, rf, rst, si, sf = W.ri, W.rf, W.rst, W.si, W.sf
    total = rf[r, L.RF_BASE_H]
    reach = 0.0  # hours from now until the train would reach the station
    for p in range(ri[r, L.R_LO], ri[r, L.R_HI]):
        s = rst[p]
        n = si[s, L.S_COMMIT]
        if n > 0:
            backlog = n * sf[s, L.SF_DRAIN_H] - reach
            if backlog > 0:
                total += backlog
                reach += backlog
        until = closed_at(W, si[s, L.S_RES], t + reach, False)
        if until > t + reach:
            total += until - (t + reach)
            reach = until - t
        reach += sf[s, L.SF_MEAN]
    return total


@njit(cache=True, _nrt=False)
def choose_route(W, g, t):
    gp, gr, gb, gbt = W.gp, W.gr, W.gb, W.gbt
    if gb[g] >= 0 and t - gbt[g] < W.par[P_REFRESH]:
        return gb[g]
    best, best_h = gr[gp[g]], 1e300
    for k in range(gp[g], gp[g + 1]):
        h = expected_h(W, gr[k], t)
        if h < best_h:
            best, best_h = gr[k], h
    gb[g], gbt[g] = best, t
    return best


@njit(cache=True, _nrt=False, inline="always")
def ship(W, i, t):
    """Shipment i (one container) arrives at its origin terminal and joins the forming train."""
    ti, tf, ri, rf, ctr = W.ti, W.tf, W.ri, W.rf, W.ctr
    r = W.shr[i]
    if r < 0:
        r = choose_route(W, W.shg[i], t)
    teu = W.shteu[i]
    train = ri[r, L.R_FORM]
    if train >= 0 and tf[train, L.TF_LOAD] + teu > rf[r, L.RF_CAP_TEU] + 1e-9:
        dispatch(W, train, t)
        train = -1
    if train < 0:
        train = ctr[L.C_NTRAINS]
        if train >= ti.shape[0]:  # out of train slots: stop (engine.advance raises)
            ctr[L.C_ERROR] = L.ERR_TRAINS
            return
        ctr[L.C_NTRAINS] = train + 1
        ti[train, L.T_ROUTE], ti[train, L.T_POS], ti[train, L.T_NCONT] = r, -1, 0
        tf[train, L.TF_LOAD], tf[train, L.TF_FORMED], tf[train, L.TF_ARRIVE] = 0.0, t, -1.0
        tf[train, L.TF_DEPART] = -1.0
        ri[r, L.R_FORM] = train
    tf[train, L.TF_LOAD] += teu
    ti[train, L.T_NCONT] += 1
    W.shtr[i] = train
    ctr[L.C_GEN] += 1
    ctr[L.C_GEN_TEU] += int(round(teu * 1000.0))
    if tf[train, L.TF_LOAD] + teu > rf[r, L.RF_CAP_TEU] + 1e-9:  # the next container would not fit: full
        dispatch(W, train, t)


@njit(cache=True, _nrt=False)
def tick(W, r, t):
    ri, rf, tf = W.ri, W.rf, W.tf
    train = ri[r, L.R_FORM]
    if train >= 0 and tf[train, L.TF_LOAD] > 0:
        dispatch(W, train, t)
    nt = t + rf[r, L.RF_SCHED_H]
    if nt <= W.par[P_TEND]:
        push(W, nt, L.EV_TICK, r, 0)


@njit(cache=True, _nrt=False)
def sample(W, t):
    si, ctr, ti, tf = W.si, W.ctr, W.ti, W.tf
    k = ctr[L.C_SAMPLE]
    if k >= W.sq.shape[0]:  # out of sample rows: stop (engine.advance raises)
        ctr[L.C_ERROR] = L.ERR_SAMPLES
        return
    for s in range(si.shape[0]):
        W.sq[k, s] = si[s, L.S_QLEN]
    in_system, west, east = 0, 0, 0
    lo = ctr[L.C_OLDEST]
    while lo < ctr[L.C_NTRAINS] and tf[lo, L.TF_ARRIVE] >= 0:  # trains before ``lo`` have all arrived
        lo += 1
    ctr[L.C_OLDEST] = lo
    for tr in range(lo, ctr[L.C_NTRAINS]):
        if tf[tr, L.TF_ARRIVE] < 0:
            in_system += ti[tr, L.T_NCONT]
            if W.ri[ti[tr, L.T_ROUTE], L.R_DIR] == 0:
                west += ti[tr, L.T_NCONT]
            else:
                east += ti[tr, L.T_NCONT]
    sc = W.sc
    sc[k, L.SC_T], sc[k, L.SC_GEN], sc[k, L.SC_DELIV], sc[k, L.SC_IN] = t, ctr[L.C_GEN], ctr[L.C_DELIV], in_system
    sc[k, L.SC_IN_WEST], sc[k, L.SC_IN_EAST] = west, east
    ctr[L.C_SAMPLE] = k + 1
    nt = t + W.par[P_SAMPLE]
    if nt <= W.par[P_TEND] + 1e-9:
        push(W, nt, L.EV_SAMPLE, 0, 0)


@njit(cache=True, _nrt=False, inline="always")
def handle(W, kind, a, b, t):
    if kind == L.EV_END:
        W.si[b, L.S_BUSY] -= 1
        advance(W, a, t)
        try_start(W, b, t)
    elif kind == L.EV_ARRIVE:  # a part of train a lands from a vessel; it goes on with its last part
        W.ti[a, L.T_PARTS] -= 1
        if W.ti[a, L.T_PARTS] == 0 and W.tf[a, L.TF_BOARDED] == 0.0:
            advance(W, a, t)
    elif kind == L.EV_RETRY:
        W.si[a, L.S_RETRY] = 0
        try_start(W, a, t)
    elif kind == L.EV_TICK:
        tick(W, a, t)
    elif kind == L.EV_VREADY:
        v_ready(W, a, t)
    elif kind == L.EV_VDEADLINE:
        v = a
        lnk, side = W.vi[v, L.V_LINK], W.vi[v, L.V_SIDE]
        if W.vi[v, L.V_CYCLE] == b and W.vi[v, L.V_STATE] == 0 and W.li[lnk, L.L_ACT0 + side] == v:
            v_depart(W, v, t)
    elif kind == L.EV_VARRIVE:
        v_arrive(W, a, t)
    elif kind == L.EV_SAIL:
        sail(W, a, b, t)
    elif kind == L.EV_SAMPLE:
        sample(W, t)


@njit(cache=True, _nrt=False)
def run_until(W, t_stop):
    """Process every event with time ≤ ``t_stop`` (also those scheduled meanwhile); return the number processed. Stops
    early, the failing event half done, when a handler set ``C_ERROR`` (the state is then only fit for the error)."""
    ctr, sht, ht = W.ctr, W.sht, W.ht
    n_ship = sht.shape[0]
    done = 0
    while ctr[L.C_ERROR] == 0:  # a handler that runs out of a capacity sets C_ERROR and the loop stops
        i = ctr[L.C_SHIP]
        t_ship = sht[i] if i < n_ship else 1e300
        t_heap = ht[0] if ctr[L.C_HSIZE] > 0 else 1e300
        if t_ship <= t_heap:
            if t_ship > t_stop:
                break
            ctr[L.C_SHIP] = i + 1
            ship(W, i, t_ship)
        else:
            if t_heap > t_stop:
                break
            kind, a, b = pop(W)
            handle(W, kind, a, b, t_heap)
        done += 1
    ctr[L.C_EVENTS] += done
    return done



def _kernel_dispatchers() -> list:
    """Every compiled function defined in the kernel modules (this one and the helpers it calls or inlines)."""
    from numba.core.registry import CPUDispatcher

    from silkway.simulation import _heap, _rng, _station, _vessels

    modules = (_heap, _rng, _station, _vessels, sys.modules[__name__])
    return [v for m in modules for v in vars(m).values() if isinstance(v, CPUDispatcher) and v.py_func.__module__ == m.__name__]


cache_on_kernel_sources(*_kernel_dispatchers())  # before anything compiles: the cache is stamped with every kernel file
