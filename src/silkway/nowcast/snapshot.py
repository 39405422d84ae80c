"""A running simulation's state at ``t0`` written as observations (the warm-start verification and the backtest's
"truth" feed, docs/nowcast.md).

Each train gets the milestones a tracking feed would give at ``t0``: where it was received / departed and the latest
station milestone (joined a queue, started service, boarded or sailed on a vessel); fleet vessels their latest
berth / sailing / arrival; closures in force; the next slot of every gate still closed. Two times are not kept by
the kernel and are derived: a vessel's sailing time = its landing time − the median sailing time (and, for a
timetabled sailing, the arrival port's turnaround), at most ``t0``; both are exact when sailing times are deterministic.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from silkway.network.model import Closure
from silkway.nowcast.observations import Observation, ObsKind, Stage, TargetKind, at_hours
from silkway.simulation import _layout as L
from silkway.simulation.engine import Prepared
from silkway.simulation.warm import vessel_ids


def snapshot(prep: Prepared, t0_h: float, origin: datetime, closures: tuple[Closure, ...] = (), *,
             announce_ends: bool = True) -> list[Observation]:
    """Observations of the state of ``prep`` (run until ``t0_h``) at ``t0_h``; ``origin`` = the datetime of hour 0.
    ``announce_ends=False``: closures in force are reported without their end (an unannounced closure)."""
    W, b = prep.work, prep.builder
    ti, tf, si, sf, vi, lf, rst = W[L.TI], W[L.TF], W[L.SI], W[L.SF], W[L.VI], W[L.LF], W[L.RST]
    at = lambda h: at_hours(h, origin)  # noqa: E731
    n_heap = int(W[L.CTR][L.C_HSIZE])
    heap: list[tuple[float, int, int, int, int]] = []
    for i in range(n_heap):
        seq, kind_, a_, b_ = map(int, W[L.HI][i])
        heap.append((float(W[L.HT][i]), seq, kind_, a_, b_))
    heap.sort(key=lambda e: (e[0], e[1]))
    landing: dict[int, list[float]] = {}
    varrive, vready, deadline = {}, {}, {}
    for t, _, kind, a, c in heap:
        if kind == L.EV_ARRIVE:
            landing.setdefault(a, []).append(t)
        elif kind == L.EV_VARRIVE:
            varrive[a] = t
        elif kind == L.EV_VREADY:
            vready[a] = t
        elif kind == L.EV_VDEADLINE and c == vi[a, L.V_CYCLE]:
            deadline[a] = t
    vids = vessel_ids(b, vi)
    out: list[Observation] = []
    queued = np.full(len(ti), -1)
    for s in range(len(si)):
        tr = si[s, L.S_QHEAD]
        while tr >= 0:
            queued[tr] = s
            tr = ti[tr, L.T_NEXT]
    on_vessel: dict[int, list[tuple[int, bool]]] = {}
    for v in range(len(vi)):
        tr = vi[v, L.V_HEAD]
        while tr >= 0:
            on_vessel.setdefault(int(tr), []).append((v, True))
            tr = ti[tr, L.T_NEXT]
        if vi[v, L.V_PART] >= 0:
            on_vessel.setdefault(int(vi[v, L.V_PART]), []).append((v, False))
    sht, shtr, shteu = W[L.SHT], W[L.SHTR], W[L.SHTEU]
    n_ship = int(W[L.CTR][L.C_SHIP])
    forming: dict[int, list[int]] = {}
    for i in range(n_ship):
        forming.setdefault(int(shtr[i]), []).append(i)
    for tr in range(int(W[L.CTR][L.C_NTRAINS])):
        if tf[tr, L.TF_ARRIVE] >= 0:
            continue
        r = int(ti[tr, L.T_ROUTE])
        flow = prep.routes[r].flow
        tid = f"T{tr}"
        if ti[tr, L.T_POS] < 0:
            out += [Observation(at(sht[i]), ObsKind.RECEIVED, train_id=tid, shipment_id=f"S{i}", flow_id=flow.flow_id,
                                place=flow.origin, teu=float(shteu[i])) for i in forming.get(tr, [])]
            continue
        out.append(Observation(at(tf[tr, L.TF_DEPART]), ObsKind.DEPARTED, train_id=tid, flow_id=flow.flow_id, place=flow.origin,
                               teu=float(tf[tr, L.TF_LOAD]), containers=int(ti[tr, L.T_NCONT]), green=bool(ti[tr, L.T_GREEN])))
        s = int(rst[ti[tr, L.T_POS]])
        spec = b.stations[s]
        place, stage, node = spec.target.split("+")[0], Stage(spec.kind), spec.node_id
        if spec.kind != "quay":
            seen = ObsKind.ARRIVED if queued[tr] == s else ObsKind.STARTED
            out.append(Observation(at(tf[tr, L.TF_ENTER]), seen, train_id=tid, place=place, stage=stage, node=node))
            continue
        lnk = spec.vlink
        per = tf[tr, L.TF_LOAD] / max(int(ti[tr, L.T_NCONT]), 1)
        if queued[tr] == s:
            out.append(Observation(at(tf[tr, L.TF_ENTER]), ObsKind.ARRIVED, train_id=tid, place=place, stage=stage, node=node))
        aboard = on_vessel.get(tr, [])
        for v, whole in aboard:
            teu = _part_teu(W, v, tr, whole, per)
            t = max(tf[tr, L.TF_ENTER], deadline.get(v, 0.0) - lf[lnk, L.LF_MAXWAIT]) if deadline.get(v) is not None else tf[tr, L.TF_ENTER]
            out.append(Observation(at(t), ObsKind.LOADED_ON_FERRY, train_id=tid, vessel_id=vids[v], place=place, stage=stage,
                                   node=node, teu=teu))
        for t_land in landing.get(tr, []):
            match = [v for v in range(len(vi)) if vi[v, L.V_LINK] == lnk and vready.get(v) == t_land and vi[v, L.V_STATE] == 1]
            if match:  # a fleet vessel turning round with the part
                out.append(Observation(at(tf[tr, L.TF_ENTER]), ObsKind.LOADED_ON_FERRY, train_id=tid, vessel_id=vids[match[0]],
                                       place=place, stage=stage, node=node, teu=float(tf[tr, L.TF_LOAD])))
            else:  # timetabled sailing
                t_sail = min(t_land - math.exp(lf[lnk, L.LF_MU]) - lf[lnk, L.LF_TURN0 + spec.side], t0_h)
                out.append(Observation(at(t_sail), ObsKind.SAILED, train_id=tid, place=place, stage=stage, node=node,
                                       teu=float(tf[tr, L.TF_LOAD])))
    out += _vessels(prep, t0_h, vids, varrive, vready, deadline, at)
    out += _closures(prep, t0_h, closures, at, announce_ends)
    for s in range(len(si)):
        if sf[s, L.SF_NEXT_GATE] > t0_h and b.stations[s].kind != "quay":
            spec = b.stations[s]
            out.append(Observation(at(t0_h), ObsKind.NEXT_SLOT, place=spec.target.split("+")[0], stage=Stage(spec.kind),
                                   node=spec.node_id, until=at(sf[s, L.SF_NEXT_GATE])))
    out.sort(key=lambda o: o.time)
    return out


def _part_teu(W, v: int, tr: int, whole: bool, per: float) -> float:
    """TEU of train ``tr`` aboard vessel ``v``: the part left for it once the vessel's whole trains are counted."""
    ti, tf, vi, vf = W[L.TI], W[L.TF], W[L.VI], W[L.VF]
    if whole:
        return float(tf[tr, L.TF_LOAD] - tf[tr, L.TF_BOARDED]) if ti[tr, L.T_PARTS] <= 1 else float(tf[tr, L.TF_LOAD])
    others, u = 0.0, vi[v, L.V_HEAD]
    while u >= 0:
        others += tf[u, L.TF_LOAD]
        u = ti[u, L.T_NEXT]
    return float(max(per, vf[v, L.VF_LOAD] - others))


def _vessels(prep: Prepared, t0_h: float, vids, varrive, vready, deadline, at) -> list[Observation]:
    W, b = prep.work, prep.builder
    vi, vf, lf, li = W[L.VI], W[L.VF], W[L.LF], W[L.LI]
    out = []
    for v in range(len(vi)):
        lnk, side = int(vi[v, L.V_LINK]), int(vi[v, L.V_SIDE])
        link = b.net.link_by_id[b.vlinks[lnk].link_id]
        ends = (link.from_node, link.to_node)
        if v in varrive:
            out.append(Observation(at(min(varrive[v] - math.exp(lf[lnk, L.LF_MU]), t0_h)), ObsKind.SAILED, vessel_id=vids[v], place=link.link_id,
                                   node=ends[side], teu=float(vf[v, L.VF_LOAD])))
        elif vi[v, L.V_STATE] == 1 and v in vready:
            ta = vready[v] - lf[lnk, L.LF_TURN0 + 1 - side]
            out.append(Observation(at(ta), ObsKind.VESSEL_ARRIVED, vessel_id=vids[v], place=link.link_id, node=ends[side]))
        elif vi[v, L.V_STATE] == 0:
            act = li[lnk, L.L_ACT0 + side]
            ref = deadline.get(int(act)) if act >= 0 else None
            t = ref - lf[lnk, L.LF_MAXWAIT] if ref is not None else None
            if t is not None:
                out.append(Observation(at(t), ObsKind.VESSEL_READY, vessel_id=vids[v], place=link.link_id, node=ends[side]))
    idle_rank = {}
    for lnk in range(len(li)):
        for side in (0, 1):
            u, k = li[lnk, L.L_IDLEH0 + side], 0
            while u >= 0:
                idle_rank[int(u)] = k
                u, k = vi[u, L.V_NEXT], k + 1
    # the active vessel first, then the idle ones in their order (same time: the row order decides)
    return sorted(out, key=lambda o: (o.kind != ObsKind.VESSEL_READY, idle_rank.get(vids.index(o.vessel_id), -1)))


def _closures(prep: Prepared, t0_h: float, closures: tuple[Closure, ...], at, announce: bool) -> list[Observation]:
    known = {c.closure_id: c for c in closures}
    out, seen = [], set()
    for _, start, end, cid in prep.closures:
        if start <= t0_h < end and (cid, start) not in seen and cid in known:
            seen.add((cid, start))
            c = known[cid]
            out.append(Observation(at(start), ObsKind.CLOSURE_STARTED, closure_id=cid, target_kind=TargetKind(c.target_kind),
                                   place=c.target_id, until=at(end) if announce else None))
    return out
