"""The compiled event loop: a binary heap of (time, sequence, event) in numpy arrays, run by numba.

All state lives in the arrays of the work tuple ``W`` (built by :mod:`silkway.simulation.engine`), so
the loop can stop at any time (progress bar) and resume. Same-time events run in scheduling order
(the sequence number), so a run is a pure function of its inputs and seed.
"""

from __future__ import annotations

import math

from numba import njit

from silkway.simulation import _layout as L
from silkway.simulation._heap import pop, push
from silkway.simulation._layout import (
    CLC,
    CLE,
    CLP,
    CLS,
    CTR,
    GB,
    GBT,
    GP,
    GR,
    HT,
    LF,
    LI,
    P_FULL,
    P_GFACTOR,
    P_GSHARE,
    P_NSTREAM,
    P_REFRESH,
    P_SAMPLE,
    P_TEND,
    P_WARM,
    PAR,
    RF,
    RI,
    RS,
    RST,
    SC,
    SF,
    SHG,
    SHR,
    SHT,
    SHTEU,
    SHTR,
    SI,
    SQ,
    TF,
    TI,
    VF,
    VI,
)
from silkway.simulation._rng import exponential, normal, uniform


@njit(cache=True, _nrt=False, inline="always")
def closed_until(W, res, t):
    """End of the closure window covering ``t`` on resource ``res``, or -1 when open."""
    clp, cls, cle, clc = W[CLP], W[CLS], W[CLE], W[CLC]
    cur = max(clc[res], clp[res])
    hi = clp[res + 1]
    while cur < hi and cle[cur] <= t:
        cur += 1
    clc[res] = cur
    if cur < hi and cls[cur] <= t:
        return cle[cur]
    return -1.0


@njit(cache=True, _nrt=False, inline="always")
def draw(W, s, green):
    si, sf = W[SI], W[SF]
    d = si[s, L.S_DIST]
    if d == L.DIST_ZERO:
        x = 0.0
    elif d == L.DIST_DET:
        x = sf[s, L.SF_A]
    elif d == L.DIST_LOGNORMAL:
        x = math.exp(sf[s, L.SF_A] + sf[s, L.SF_B] * normal(W[RS], s))
    else:
        x = exponential(W[RS], s, sf[s, L.SF_A])
    if green and si[s, L.S_GREEN] == 1:
        x *= W[PAR][P_GFACTOR]
    return x


@njit(cache=True, _nrt=False, inline="always")
def enqueue(W, s, train, t):
    si, ti = W[SI], W[TI]
    ti[train, L.T_NEXT] = -1
    if si[s, L.S_QTAIL] >= 0:
        ti[si[s, L.S_QTAIL], L.T_NEXT] = train
    else:
        si[s, L.S_QHEAD] = train
    si[s, L.S_QTAIL] = train
    si[s, L.S_QLEN] += 1
    if t >= W[PAR][P_WARM] and si[s, L.S_QLEN] > si[s, L.S_QMAX]:
        si[s, L.S_QMAX] = si[s, L.S_QLEN]
    W[TF][train, L.TF_ENTER] = t


@njit(cache=True, _nrt=False, inline="always")
def dequeue(W, s, t):
    si, ti, tf, sf = W[SI], W[TI], W[TF], W[SF]
    train = si[s, L.S_QHEAD]
    si[s, L.S_QHEAD] = ti[train, L.T_NEXT]
    if si[s, L.S_QHEAD] < 0:
        si[s, L.S_QTAIL] = -1
    si[s, L.S_QLEN] -= 1
    wait = t - tf[train, L.TF_ENTER]
    tf[train, L.TF_WAIT] += wait
    si[s, L.S_SERVED_ALL] += 1
    if t >= W[PAR][P_WARM]:
        si[s, L.S_SERVED] += 1
        sf[s, L.SF_WAIT_SUM] += wait
    return train


@njit(cache=True, _nrt=False, inline="always")
def try_start(W, s, t):
    si, sf, tf, ti = W[SI], W[SF], W[TF], W[TI]
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
        sf[s, L.SF_NEXT_GATE] = t + sf[s, L.SF_GATE_TRAIN] + sf[s, L.SF_GATE_TEU] * tf[train, L.TF_LOAD]
        x = draw(W, s, ti[train, L.T_GREEN] == 1)
        if t >= W[PAR][P_WARM]:
            sf[s, L.SF_SERVICE_SUM] += x
        push(W, t + x, L.EV_END, train, s)


@njit(cache=True, _nrt=False, inline="always")
def arrive(W, train, t):
    """The train reaches the station at its current route position."""
    ti, rst, si = W[TI], W[RST], W[SI]
    s = rst[ti[train, L.T_POS]]
    enqueue(W, s, train, t)
    k = si[s, L.S_KIND]
    if k == L.KIND_SERVER:
        try_start(W, s, t)
    elif k == L.KIND_FLEET:
        v_board(W, si[s, L.S_VLINK], si[s, L.S_SIDE], t)


@njit(cache=True, _nrt=False, inline="always")
def advance(W, train, t):
    ti, ri, tf, ctr = W[TI], W[RI], W[TF], W[CTR]
    ti[train, L.T_POS] += 1
    if ti[train, L.T_POS] >= ri[ti[train, L.T_ROUTE], L.R_HI]:
        tf[train, L.TF_ARRIVE] = t
        ctr[L.C_DELIV] += ti[train, L.T_NCONT]
        ctr[L.C_DELIV_TEU] += int(round(tf[train, L.TF_LOAD] * 1000.0))
    else:
        arrive(W, train, t)


@njit(cache=True, _nrt=False, inline="always")
def dispatch(W, train, t):
    ti, tf, ri, rs = W[TI], W[TF], W[RI], W[RS]
    r = ti[train, L.T_ROUTE]
    ri[r, L.R_FORM] = -1
    tf[train, L.TF_DEPART] = t
    ti[train, L.T_GREEN] = 1 if uniform(rs, int(W[PAR][P_NSTREAM]) - 1) < W[PAR][P_GSHARE] else 0
    ti[train, L.T_POS] = ri[r, L.R_LO]
    arrive(W, train, t)


@njit(cache=True, _nrt=False)
def expected_h(W, r, t):
    """Expected time on route r now: base times + queued trains × mean service / servers + closures."""
    ri, rf, rst, si, sf = W[RI], W[RF], W[RST], W[SI], W[SF]
    total = rf[r, L.RF_BASE_H]
    for p in range(ri[r, L.R_LO], ri[r, L.R_HI]):
        s = rst[p]
        q = si[s, L.S_QLEN]
        if q > 0:
            per = max(sf[s, L.SF_GATE_TRAIN] + sf[s, L.SF_GATE_TEU] * 100.0, sf[s, L.SF_MEAN] / max(si[s, L.S_SERVERS], 1))
            total += q * per
        until = closed_until(W, si[s, L.S_RES], t)
        if until > t:
            total += until - t
    return total


@njit(cache=True, _nrt=False)
def choose_route(W, g, t):
    gp, gr, gb, gbt = W[GP], W[GR], W[GB], W[GBT]
    if gb[g] >= 0 and t - gbt[g] < W[PAR][P_REFRESH]:
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
    ti, tf, ri, rf, ctr = W[TI], W[TF], W[RI], W[RF], W[CTR]
    r = W[SHR][i]
    if r < 0:
        r = choose_route(W, W[SHG][i], t)
    teu = W[SHTEU][i]
    train = ri[r, L.R_FORM]
    if train >= 0 and tf[train, L.TF_LOAD] + teu > rf[r, L.RF_CAP_TEU] + 1e-9:
        dispatch(W, train, t)
        train = -1
    if train < 0:
        train = ctr[L.C_NTRAINS]
        ctr[L.C_NTRAINS] = train + 1
        ti[train, L.T_ROUTE], ti[train, L.T_POS], ti[train, L.T_NCONT] = r, -1, 0
        tf[train, L.TF_LOAD], tf[train, L.TF_FORMED], tf[train, L.TF_ARRIVE] = 0.0, t, -1.0
        tf[train, L.TF_DEPART] = -1.0
        ri[r, L.R_FORM] = train
    tf[train, L.TF_LOAD] += teu
    ti[train, L.T_NCONT] += 1
    W[SHTR][i] = train
    ctr[L.C_GEN] += 1
    ctr[L.C_GEN_TEU] += int(round(teu * 1000.0))
    if tf[train, L.TF_LOAD] + teu > rf[r, L.RF_CAP_TEU] + 1e-9:  # the next container would not fit: full
        dispatch(W, train, t)


@njit(cache=True, _nrt=False)
def tick(W, r, t):
    ri, rf, tf = W[RI], W[RF], W[TF]
    train = ri[r, L.R_FORM]
    if train >= 0 and tf[train, L.TF_LOAD] > 0:
        dispatch(W, train, t)
    nt = t + rf[r, L.RF_SCHED_H]
    if nt <= W[PAR][P_TEND]:
        push(W, nt, L.EV_TICK, r, 0)


@njit(cache=True, _nrt=False)
def sample(W, t):
    si, ctr, ti, tf = W[SI], W[CTR], W[TI], W[TF]
    k = ctr[L.C_SAMPLE]
    if k >= W[SQ].shape[0]:
        return
    for s in range(si.shape[0]):
        W[SQ][k, s] = si[s, L.S_QLEN]
    in_system = 0
    lo = ctr[L.C_OLDEST]
    while lo < ctr[L.C_NTRAINS] and tf[lo, L.TF_ARRIVE] >= 0:  # trains before ``lo`` have all arrived
        lo += 1
    ctr[L.C_OLDEST] = lo
    for tr in range(lo, ctr[L.C_NTRAINS]):
        if tf[tr, L.TF_ARRIVE] < 0:
            in_system += ti[tr, L.T_NCONT]
    sc = W[SC]
    sc[k, 0], sc[k, 1], sc[k, 2], sc[k, 3] = t, ctr[L.C_GEN], ctr[L.C_DELIV], in_system
    ctr[L.C_SAMPLE] = k + 1
    nt = t + W[PAR][P_SAMPLE]
    if nt <= W[PAR][P_TEND] + 1e-9:
        push(W, nt, L.EV_SAMPLE, 0, 0)


@njit(cache=True, _nrt=False)
def v_board(W, lnk, side, t):
    """Board queued trains onto the vessel loading at this quay; sail when full."""
    li, lf, vi, vf, si, ti, tf = W[LI], W[LF], W[VI], W[VF], W[SI], W[TI], W[TF]
    v = li[lnk, L.L_ACT0 + side]
    if v < 0:
        return
    s = li[lnk, L.L_ST0 + side]
    cap = lf[lnk, L.LF_CAP]
    while s >= 0 and si[s, L.S_QLEN] > 0:
        train = si[s, L.S_QHEAD]
        load = tf[train, L.TF_LOAD]
        if vf[v, L.VF_LOAD] > 0 and vf[v, L.VF_LOAD] + load > cap + 1e-9:
            break
        dequeue(W, s, t)
        ti[train, L.T_NEXT] = -1
        if vi[v, L.V_TAIL] >= 0:
            ti[vi[v, L.V_TAIL], L.T_NEXT] = train
        else:
            vi[v, L.V_HEAD] = train
        vi[v, L.V_TAIL] = train
        vf[v, L.VF_LOAD] += load
    if (s >= 0 and si[s, L.S_QLEN] > 0) or vf[v, L.VF_LOAD] >= W[PAR][P_FULL] * cap - 1e-9:
        v_depart(W, v, t)


@njit(cache=True, _nrt=False)
def v_depart(W, v, t):
    li, lf, vi, vf = W[LI], W[LF], W[VI], W[VF]
    lnk, side = vi[v, L.V_LINK], vi[v, L.V_SIDE]
    until = closed_until(W, li[lnk, L.L_RES], t)
    if until >= 0:
        vi[v, L.V_CYCLE] += 1
        push(W, until, L.EV_VDEADLINE, v, vi[v, L.V_CYCLE])
        return
    li[lnk, L.L_ACT0 + side] = -1
    vi[v, L.V_STATE] = 1
    sail = math.exp(lf[lnk, L.LF_MU] + lf[lnk, L.LF_SIGMA] * normal(W[RS], li[lnk, L.L_RES]))
    if t >= W[PAR][P_WARM]:
        lf[lnk, L.LF_TEU_MOVED] += vf[v, L.VF_LOAD]
    push(W, t + sail, L.EV_VARRIVE, v, 0)
    nxt = li[lnk, L.L_IDLEH0 + side]
    if nxt >= 0:
        li[lnk, L.L_IDLEH0 + side] = vi[nxt, L.V_NEXT]
        if vi[nxt, L.V_NEXT] < 0:
            li[lnk, L.L_IDLET0 + side] = -1
        push(W, t, L.EV_VREADY, nxt, 0)


@njit(cache=True, _nrt=False)
def v_ready(W, v, t):
    li, vi = W[LI], W[VI]
    lnk, side = vi[v, L.V_LINK], vi[v, L.V_SIDE]
    vi[v, L.V_STATE] = 0
    if li[lnk, L.L_ACT0 + side] < 0:
        li[lnk, L.L_ACT0 + side] = v
        vi[v, L.V_CYCLE] += 1
        push(W, t + W[LF][lnk, L.LF_MAXWAIT], L.EV_VDEADLINE, v, vi[v, L.V_CYCLE])
        v_board(W, lnk, side, t)
    else:
        vi[v, L.V_NEXT] = -1
        tail = li[lnk, L.L_IDLET0 + side]
        if tail >= 0:
            vi[tail, L.V_NEXT] = v
        else:
            li[lnk, L.L_IDLEH0 + side] = v
        li[lnk, L.L_IDLET0 + side] = v


@njit(cache=True, _nrt=False)
def v_arrive(W, v, t):
    """The vessel reaches the other end: trains roll off after the turnaround, the vessel turns round."""
    lf, vi, vf, ti = W[LF], W[VI], W[VF], W[TI]
    lnk, side = vi[v, L.V_LINK], vi[v, L.V_SIDE]
    turn = lf[lnk, L.LF_TURN0 + side]
    train = vi[v, L.V_HEAD]
    while train >= 0:
        nxt = ti[train, L.T_NEXT]
        push(W, t + turn, L.EV_ARRIVE, train, 0)
        train = nxt
    vi[v, L.V_HEAD] = vi[v, L.V_TAIL] = -1
    vf[v, L.VF_LOAD] = 0.0
    vi[v, L.V_SIDE] = 1 - side
    push(W, t + turn, L.EV_VREADY, v, 0)


@njit(cache=True, _nrt=False)
def sail(W, lnk, side, t):
    """A timetabled departure: board FIFO up to capacity, unless the link is closed (sailing cancelled)."""
    li, lf, si, tf = W[LI], W[LF], W[SI], W[TF]
    nt = t + lf[lnk, L.LF_PERIOD]
    if nt <= W[PAR][P_TEND]:
        push(W, nt, L.EV_SAIL, lnk, side)
    if closed_until(W, li[lnk, L.L_RES], t) >= 0:
        return
    s = li[lnk, L.L_ST0 + side]
    arrival = t + math.exp(lf[lnk, L.LF_MU] + lf[lnk, L.LF_SIGMA] * normal(W[RS], li[lnk, L.L_RES])) + lf[lnk, L.LF_TURN0 + side]
    load, cap = 0.0, lf[lnk, L.LF_CAP]
    while si[s, L.S_QLEN] > 0:
        train = si[s, L.S_QHEAD]
        if load > 0 and load + tf[train, L.TF_LOAD] > cap + 1e-9:
            break
        dequeue(W, s, t)
        load += tf[train, L.TF_LOAD]
        push(W, arrival, L.EV_ARRIVE, train, 0)
    if t >= W[PAR][P_WARM]:
        lf[lnk, L.LF_TEU_MOVED] += load


@njit(cache=True, _nrt=False, inline="always")
def handle(W, kind, a, b, t):
    if kind == L.EV_END:
        W[SI][b, L.S_BUSY] -= 1
        advance(W, a, t)
        try_start(W, b, t)
    elif kind == L.EV_ARRIVE:
        advance(W, a, t)
    elif kind == L.EV_RETRY:
        W[SI][a, L.S_RETRY] = 0
        try_start(W, a, t)
    elif kind == L.EV_TICK:
        tick(W, a, t)
    elif kind == L.EV_VREADY:
        v_ready(W, a, t)
    elif kind == L.EV_VDEADLINE:
        v = a
        lnk, side = W[VI][v, L.V_LINK], W[VI][v, L.V_SIDE]
        if W[VI][v, L.V_CYCLE] == b and W[VI][v, L.V_STATE] == 0 and W[LI][lnk, L.L_ACT0 + side] == v:
            v_depart(W, v, t)
    elif kind == L.EV_VARRIVE:
        v_arrive(W, a, t)
    elif kind == L.EV_SAIL:
        sail(W, a, b, t)
    elif kind == L.EV_SAMPLE:
        sample(W, t)


@njit(cache=True, _nrt=False)
def run_until(W, t_stop):
    """Process every event with time ≤ ``t_stop``; return the number processed."""
    ctr, sht, ht = W[CTR], W[SHT], W[HT]
    n_ship = sht.shape[0]
    done = 0
    while True:
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

