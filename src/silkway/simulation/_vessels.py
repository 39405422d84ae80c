"""Vessel links of the kernel: fleet ferries (sail when full or after the maximum wait; shared by both
directions) and timetabled sailings (board FIFO up to capacity; cancelled during closures).

A train larger than the deck left on a vessel boards in parts (whole containers): the containers that fit sail, the
rest stay at the head of the quay queue for the next sailing. The train goes on when its last part has landed
(``T_PARTS`` counts its parts at sea; docs/simulation.md, "Ports and ferries")."""

from __future__ import annotations

import math

from numba import njit

from silkway.simulation import _layout as L
from silkway.simulation._heap import push
from silkway.simulation._layout import P_FULL, P_TEND, P_WARM
from silkway.simulation._rng import normal
from silkway.simulation._station import append_train, closed_until, dequeue


@njit(cache=True, _nrt=False, inline="always")
def take(W, s, free, t):
    """Board at most ``free`` TEU, in whole containers, of the train at the head of quay ``s``'s queue. Returns
    (train, TEU boarded, whole): train -1 when not one container fits; ``whole`` when the train's last containers
    boarded (it leaves the queue), else it keeps its place at the head with the containers left."""
    ti, tf = W.ti, W.tf
    train = W.si[s, L.S_QHEAD]
    left = tf[train, L.TF_LOAD] - tf[train, L.TF_BOARDED]
    if left <= free + 1e-9:
        dequeue(W, s, t)
        tf[train, L.TF_BOARDED] = 0.0
        ti[train, L.T_PARTS] += 1
        return train, left, True
    per = tf[train, L.TF_LOAD] / max(ti[train, L.T_NCONT], 1)
    k = math.floor(free / per + 1e-9)
    if k <= 0:
        return -1, 0.0, False
    tf[train, L.TF_BOARDED] += k * per
    ti[train, L.T_PARTS] += 1
    return train, k * per, False


@njit(cache=True, _nrt=False)
def v_board(W, lnk, side, t):
    """Board queued trains onto the vessel loading at this quay (the last one in part when the deck is full); sail
    when the load reaches ``P_FULL`` of the capacity or a queued train no longer fits (after the closure, if the link
    is closed)."""
    li, lf, vi, vf, si, ti = W.li, W.lf, W.vi, W.vf, W.si, W.ti
    v = li[lnk, L.L_ACT0 + side]
    if v < 0:
        return
    s = li[lnk, L.L_ST0 + side]
    cap = lf[lnk, L.LF_CAP1 if side else L.LF_CAP]
    while s >= 0 and si[s, L.S_QLEN] > 0:
        train, teu, whole = take(W, s, cap - vf[v, L.VF_LOAD], t)
        if train < 0:
            break
        vf[v, L.VF_LOAD] += teu
        if not whole:
            if vi[v, L.V_PART] >= 0:  # one slot: a vessel carries a part of at most one train
                W.ctr[L.C_ERROR] = L.ERR_VESSEL_PART
                return
            vi[v, L.V_PART] = train
            break
        append_train(ti, vi, v, L.V_HEAD, L.V_TAIL, train)
    if (s >= 0 and si[s, L.S_QLEN] > 0) or vf[v, L.VF_LOAD] >= W.par[P_FULL] * cap - 1e-9:
        v_depart(W, v, t)


@njit(cache=True, _nrt=False, inline="always")
def count_sailing(W, lnk, side, load, t):
    """Containers (TEU) and background cargo (t) of one sailing, counted after the warm-up."""
    lf = W.lf
    if t >= W.par[P_WARM]:
        lf[lnk, L.LF_TEU_MOVED] += load
        lf[lnk, L.LF_BG_T_MOVED] += lf[lnk, L.LF_BG_T1 if side else L.LF_BG_T0]
        lf[lnk, L.LF_SAILINGS] += 1.0


@njit(cache=True, _nrt=False)
def v_depart(W, v, t):
    li, lf, vi, vf = W.li, W.lf, W.vi, W.vf
    lnk, side = vi[v, L.V_LINK], vi[v, L.V_SIDE]
    until = closed_until(W, li[lnk, L.L_RES], t)
    if until >= 0:
        vi[v, L.V_CYCLE] += 1
        push(W, until, L.EV_VDEADLINE, v, vi[v, L.V_CYCLE])
        return
    li[lnk, L.L_ACT0 + side] = -1
    vi[v, L.V_STATE] = 1
    sail = math.exp(lf[lnk, L.LF_MU] + lf[lnk, L.LF_SIGMA] * normal(W.rs, li[lnk, L.L_RES]))
    count_sailing(W, lnk, side, vf[v, L.VF_LOAD], t)
    push(W, t + sail, L.EV_VARRIVE, v, 0)
    nxt = li[lnk, L.L_IDLEH0 + side]
    if nxt >= 0:
        li[lnk, L.L_IDLEH0 + side] = vi[nxt, L.V_NEXT]
        if vi[nxt, L.V_NEXT] < 0:
            li[lnk, L.L_IDLET0 + side] = -1
        push(W, t, L.EV_VREADY, nxt, 0)


@njit(cache=True, _nrt=False)
def v_ready(W, v, t):
    li, vi = W.li, W.vi
    lnk, side = vi[v, L.V_LINK], vi[v, L.V_SIDE]
    vi[v, L.V_STATE] = 0
    if li[lnk, L.L_ACT0 + side] < 0:
        li[lnk, L.L_ACT0 + side] = v
        vi[v, L.V_CYCLE] += 1
        push(W, t + W.lf[lnk, L.LF_MAXWAIT], L.EV_VDEADLINE, v, vi[v, L.V_CYCLE])
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
    lf, vi, vf, ti = W.lf, W.vi, W.vf, W.ti
    lnk, side = vi[v, L.V_LINK], vi[v, L.V_SIDE]
    turn = lf[lnk, L.LF_TURN0 + side]
    train = vi[v, L.V_HEAD]
    while train >= 0:
        nxt = ti[train, L.T_NEXT]
        push(W, t + turn, L.EV_ARRIVE, train, 0)
        train = nxt
    if vi[v, L.V_PART] >= 0:
        push(W, t + turn, L.EV_ARRIVE, vi[v, L.V_PART], 0)
    vi[v, L.V_HEAD] = vi[v, L.V_TAIL] = vi[v, L.V_PART] = -1
    vf[v, L.VF_LOAD] = 0.0
    vi[v, L.V_SIDE] = 1 - side
    push(W, t + turn, L.EV_VREADY, v, 0)


@njit(cache=True, _nrt=False)
def sail(W, lnk, side, t):
    """A timetabled departure: board FIFO up to capacity (the last train in part), unless the link is closed (sailing
    cancelled)."""
    li, lf, si = W.li, W.lf, W.si
    nt = t + lf[lnk, L.LF_PERIOD]
    if nt <= W.par[P_TEND]:
        push(W, nt, L.EV_SAIL, lnk, side)
    if closed_until(W, li[lnk, L.L_RES], t) >= 0:
        return
    s = li[lnk, L.L_ST0 + side]
    arrival = t + math.exp(lf[lnk, L.LF_MU] + lf[lnk, L.LF_SIGMA] * normal(W.rs, li[lnk, L.L_RES])) + lf[lnk, L.LF_TURN0 + side]
    load, cap = 0.0, lf[lnk, L.LF_CAP1 if side else L.LF_CAP]
    while si[s, L.S_QLEN] > 0:
        train, teu, whole = take(W, s, cap - load, t)
        if train < 0:
            break
        load += teu
        push(W, arrival, L.EV_ARRIVE, train, 0)
        if not whole:
            break
    count_sailing(W, lnk, side, load, t)
