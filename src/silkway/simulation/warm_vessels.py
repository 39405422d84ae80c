"""Vessels of a warm start (simulation/warm.py, docs/nowcast.md): trains boarded or sailing, fleet vessels at berth,
at sea or turning round; the rest of a service or sailing under way at t0 (``residual``)."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy.special import ndtr, ndtri

from silkway.nowcast.observations import Observation, ObsKind
from silkway.simulation import _layout as L
from silkway.simulation._station import append_train
from silkway.simulation.plan import PlanBuilder


def residual(dist: int, a: float, b: float, elapsed: float, rng: np.random.Generator) -> float:
    """A service time drawn given that it is longer than ``elapsed`` (the train is still in service)."""
    if dist == L.DIST_ZERO:
        return max(0.0, elapsed)
    if dist == L.DIST_DET:
        return max(a, elapsed)
    if dist == L.DIST_EXP:
        return max(elapsed, 0.0) + rng.exponential(a)
    if b <= 0.0:
        return max(math.exp(a), elapsed)
    lo = float(ndtr((math.log(elapsed) - a) / b)) if elapsed > 0 else 0.0
    if lo >= 1.0 - 1e-12:
        return elapsed
    return max(elapsed, math.exp(a + b * float(ndtri(rng.uniform(lo, 1.0)))))


def vessel_ids(b: PlanBuilder, vi: np.ndarray) -> list[str]:
    """``link_id#k``: the k-th vessel of a fleet ferry link."""
    seen: dict[int, int] = defaultdict(int)
    out = []
    for v in range(len(vi)):
        j = int(vi[v, L.V_LINK])
        out.append(f"{b.vlinks[j].link_id}#{seen[j]}")
        seen[j] += 1
    return out



def at_quay(w, tr: int, s: int, rows: list[Observation], pending) -> str:
    """Parts of the train boarded on fleet vessels (``loaded_on_ferry`` with a vessel) or sailed on timetabled ones
    (``sailed`` with the train): parts still aboard count in ``T_PARTS``; the train left the queue when all of it
    boarded."""
    W = w.prep.work
    ti, tf, si, lf = W[L.TI], W[L.TF], W[L.SI], W[L.LF]
    boarded, parts = 0.0, []
    for o in rows:
        boarded += o.teu or 0.0
        if o.kind == ObsKind.LOADED_ON_FERRY and o.vessel_id is not None:
            v = w.vid.get(o.vessel_id)
            if v is None:
                w.bad(o, "vessel_id", f"unknown vessel '{o.vessel_id}'")
                continue
            last = w.vessel_last.get(v)
            if last is not None and last.kind == ObsKind.VESSEL_READY and w.h(last) > w.h(o):
                continue  # that part has landed: the vessel is back at a berth
            parts.append((w.h(o), v))
        elif o.kind == ObsKind.SAILED:
            lnk, side = int(si[s, L.S_VLINK]), int(si[s, L.S_SIDE])
            turn = lf[lnk, L.LF_TURN0 + side]
            sail = residual(L.DIST_LOGNORMAL, lf[lnk, L.LF_MU], lf[lnk, L.LF_SIGMA], w.t0 - w.h(o) - turn, w.rng)
            pending.append((w.h(o) + sail + turn, L.EV_ARRIVE, tr, 0))
            ti[tr, L.T_PARTS] += 1
    whole = boarded >= tf[tr, L.TF_LOAD] - 1e-9
    for i, (t, v) in enumerate(parts):
        w.aboard[v].append((t, tr, whole and i == len(parts) - 1))
        ti[tr, L.T_PARTS] += 1
    if whole:
        tf[tr, L.TF_BOARDED] = 0.0
        if ti[tr, L.T_PARTS] == 0:  # every part landed: it goes on from the next station
            return "landed"
        return "aboard"
    tf[tr, L.TF_BOARDED] = boarded
    return "queued"


def place_vessels(w, pending) -> None:
    W = w.prep.work
    vi, vf, li, lf, ti, tf = W[L.VI], W[L.VF], W[L.LI], W[L.LF], W[L.TI], W[L.TF]
    ready: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    for v in range(len(vi)):
        lnk = int(vi[v, L.V_LINK])
        link = w.b.net.link_by_id[w.b.vlinks[lnk].link_id]
        last = w.vessel_last.get(v)
        load = sorted(w.aboard.get(v, []), key=lambda x: x[0])
        vf[v, L.VF_LOAD] = 0.0
        if last is None:
            pending.append((w.t0, L.EV_VREADY, v, 0))
            continue
        side = 0 if last.node == link.from_node else 1
        if last.kind == ObsKind.VESSEL_ARRIVED:  # turning round at ``side``: its cargo rolls off with it
            vi[v, L.V_SIDE], vi[v, L.V_STATE] = side, 1
            t = w.h(last) + lf[lnk, L.LF_TURN0 + 1 - side]
            pending += [(t, L.EV_ARRIVE, tr, 0) for _, tr, _ in load]
            pending.append((t, L.EV_VREADY, v, 0))
            continue
        for _, tr, whole in load:
            if whole:
                append_train(ti, vi, v, L.V_HEAD, L.V_TAIL, tr)
                vf[v, L.VF_LOAD] += tf[tr, L.TF_LOAD]
            else:
                vi[v, L.V_PART] = tr
                vf[v, L.VF_LOAD] += tf[tr, L.TF_BOARDED]
        vi[v, L.V_SIDE] = side
        if vi[v, L.V_PART] >= 0:  # a part boards only when the deck is full (the kernel's take): nothing more fits
            vf[v, L.VF_LOAD] = max(vf[v, L.VF_LOAD], lf[lnk, L.LF_CAP1 if side else L.LF_CAP])
        if last.kind == ObsKind.SAILED:
            vi[v, L.V_STATE] = 1
            if last.teu is not None:
                vf[v, L.VF_LOAD] = last.teu
            sail = residual(L.DIST_LOGNORMAL, lf[lnk, L.LF_MU], lf[lnk, L.LF_SIGMA], w.t0 - w.h(last), w.rng)
            pending.append((w.h(last) + sail, L.EV_VARRIVE, v, 0))
        else:
            ready[(lnk, side)].append((w.h(last), v))
    for (lnk, side), items in ready.items():
        items.sort()
        t, v = items[0]
        li[lnk, L.L_ACT0 + side] = v
        vi[v, L.V_CYCLE] = 1
        pending.append((max(t + lf[lnk, L.LF_MAXWAIT], w.t0), L.EV_VDEADLINE, v, 1))
        for _, u in items[1:]:
            vi[u, L.V_NEXT] = -1
            tail = li[lnk, L.L_IDLET0 + side]
            if tail >= 0:
                vi[tail, L.V_NEXT] = u
            else:
                li[lnk, L.L_IDLEH0 + side] = u
            li[lnk, L.L_IDLET0 + side] = u


