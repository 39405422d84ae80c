"""Station primitives of the kernel: closure lookup, service-time draw, FIFO queue (linked list through trains)."""

from __future__ import annotations

import math

from numba import njit

from silkway.simulation import _layout as L
from silkway.simulation._layout import P_GFACTOR, P_WARM
from silkway.simulation._rng import exponential, normal


@njit(cache=True, _nrt=False, inline="always")
def closed_at(W, res, t, move):
    """End of the closure window covering ``t`` on resource ``res``, or -1 when open. Windows are sorted; the
    resource's cursor skips those already over and, with ``move``, keeps its place (times asked only go forward
    then; a look into the future for route choice passes ``move=False``)."""
    clp, cls, cle, clc = W.clp, W.cls, W.cle, W.clc
    cur = max(clc[res], clp[res])
    hi = clp[res + 1]
    while cur < hi and cle[cur] <= t:
        cur += 1
    if move:
        clc[res] = cur
    if cur < hi and cls[cur] <= t:
        return cle[cur]
    return -1.0


@njit(cache=True, _nrt=False, inline="always")
def closed_until(W, res, t):
    """End of the closure window covering the current time ``t`` on ``res``, or -1 when open."""
    return closed_at(W, res, t, True)


@njit(cache=True, _nrt=False, inline="always")
def draw(W, s, green):
    si, sf = W.si, W.sf
    d = si[s, L.S_DIST]
    if d == L.DIST_ZERO:
        x = 0.0
    elif d == L.DIST_DET:
        x = sf[s, L.SF_A]
    elif d == L.DIST_LOGNORMAL:
        x = math.exp(sf[s, L.SF_A] + sf[s, L.SF_B] * normal(W.rs, s))
    else:
        x = exponential(W.rs, s, sf[s, L.SF_A])
    if green and si[s, L.S_GREEN] == 1:
        x *= W.par[P_GFACTOR]
    return x


@njit(cache=True, _nrt=False, inline="always")
def append_train(ti, lists, row, head, tail, train):
    """Append ``train`` to a FIFO list of trains linked through ``T_NEXT`` whose first and last trains are
    ``lists[row, head]`` and ``lists[row, tail]`` (-1 when empty): a station's queue or a vessel's load."""
    ti[train, L.T_NEXT] = -1
    if lists[row, tail] >= 0:
        ti[lists[row, tail], L.T_NEXT] = train
    else:
        lists[row, head] = train
    lists[row, tail] = train


@njit(cache=True, _nrt=False, inline="always")
def enqueue(W, s, train, t):
    si = W.si
    append_train(W.ti, si, s, L.S_QHEAD, L.S_QTAIL, train)
    si[s, L.S_QLEN] += 1
    W.tf[train, L.TF_ENTER] = t


@njit(cache=True, _nrt=False, inline="always")
def dequeue(W, s, t):
    si, ti, tf, sf = W.si, W.ti, W.tf, W.sf
    train = si[s, L.S_QHEAD]
    si[s, L.S_QHEAD] = ti[train, L.T_NEXT]
    if si[s, L.S_QHEAD] < 0:
        si[s, L.S_QTAIL] = -1
    si[s, L.S_QLEN] -= 1
    wait = t - tf[train, L.TF_ENTER]
    tf[train, L.TF_WAIT] += wait
    tf[train, L.TF_ENTER] = t  # from now: the start of its service (or boarding), read by a state snapshot (nowcast)
    si[s, L.S_SERVED_ALL] += 1
    if t >= W.par[P_WARM]:
        si[s, L.S_SERVED] += 1
        sf[s, L.SF_WAIT_SUM] += wait
    return train
