"""Turn the kernel's final arrays into a :class:`SimulationResult` (vectorised, no I/O)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from silkway.simulation import _layout as L
from silkway.simulation.engine import Booked, Prepared
from silkway.simulation.result import CASPIAN_COUNTRIES, SimulationResult


def collect(prep: Prepared, seed: int) -> SimulationResult:
    W = prep.work
    ctr = W.ctr
    warm = prep.warmup_h
    days = (prep.horizon_h - warm) / 24.0
    trains = _trains(prep, int(ctr[L.C_NTRAINS]))
    shipments = _shipments(prep, trains)
    net = prep.builder.net
    return SimulationResult(
        shipments=shipments, trains=trains, facilities=_queues(prep), stations=_stations(prep),
        conservation=_conservation(prep, shipments), vessel_links=_vlinks(prep), days=days, warmup_days=warm / 24.0, seed=seed,
        tonnes_per_teu=float(net.param.get("tonnes_per_teu", 12.0)), events=int(ctr[L.C_EVENTS]),
        info={"closure_windows": len(prep.closures), "route_mode": prep.options.route_mode},
    )


def _cat(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
    """Labels[codes] as a Categorical (labels may repeat)."""
    cats = sorted(set(labels))
    pos = {c: i for i, c in enumerate(cats)}
    remap = np.array([pos[x] for x in labels], dtype=np.int64) if labels else np.empty(0, np.int64)
    return pd.Categorical.from_codes(remap[codes] if len(codes) else np.empty(0, np.int64), cats)


def _day(h: np.ndarray, warm: float) -> np.ndarray:
    out = (h - warm) / 24.0
    return np.where(h < 0, np.nan, out)


def _trains(prep: Prepared, n: int) -> pd.DataFrame:
    W = prep.work
    ti, tf = W.ti[:n], W.tf[:n]
    r = ti[:, L.T_ROUTE]
    flows = [rt.flow for rt in prep.routes]
    dep = _day(tf[:, L.TF_DEPART], prep.warmup_h)
    arr = _day(tf[:, L.TF_ARRIVE], prep.warmup_h)
    return pd.DataFrame({
        "train_id": np.arange(n), "flow_id": _cat(r, [f.flow_id for f in flows]), "corridor": _cat(r, [f.corridor for f in flows]),
        "origin": _cat(r, [f.origin for f in flows]), "destination": _cat(r, [f.destination for f in flows]),
        "load_teu": tf[:, L.TF_LOAD], "containers": ti[:, L.T_NCONT], "formed_day": _day(tf[:, L.TF_FORMED], prep.warmup_h),
        "departed_day": dep, "arrived_day": arr, "transit_days": arr - dep, "wait_hours": tf[:, L.TF_WAIT],
        "green_channel": ti[:, L.T_GREEN].astype(bool),
    })


def _shipments(prep: Prepared, trains: pd.DataFrame) -> pd.DataFrame:
    W = prep.work
    n = int(W.ctr[L.C_SHIP])
    train = W.shtr[:n]
    created = _day(W.sht[:n], prep.warmup_h)
    arr = trains.arrived_day.to_numpy()
    delivered = np.where(train >= 0, arr[np.maximum(train, 0)] if len(arr) else np.nan, np.nan)
    route = W.ti[np.maximum(train, 0), L.T_ROUTE] if len(arr) else np.zeros(n, np.int64)
    flows = [rt.flow for rt in prep.routes]
    out = pd.DataFrame({
        "shipment_id": np.arange(n), "flow_id": _cat(route, [f.flow_id for f in flows]),
        "origin": _cat(route, [f.origin for f in flows]), "destination": _cat(route, [f.destination for f in flows]),
        "corridor": _cat(route, [f.corridor for f in flows]), "route_source": _cat(route, [f.source.value for f in flows]),
        "teu": W.shteu[:n], "created_day": created, "train_id": train, "delivered_day": delivered,
        "transit_days": delivered - created,
    })
    return _with_booking(prep, prep.booking, out) if prep.booking is not None else out


def _with_booking(prep: Prepared, bk: Booked, released: pd.DataFrame) -> pd.DataFrame:
    """Shipments in booking order: when each container was ready (``created_day``) and released (``released_day``),
    ``held_days`` its train was held at the origin by booking (the wait for the train to fill is not counted), its ``booking`` (own, diverted, refused) and ``own_corridor``; transit counts from
    release. Refused containers are rows without a train."""
    from silkway.simulation.booking import STATUS

    flows = [rt.flow for rt in prep.routes]
    idx = bk.kernel
    n_all = len(idx)
    ok = idx >= 0
    route = np.where(ok, bk.route, bk.own_route)
    created = _day(bk.created_h, prep.warmup_h)
    rel = np.where(ok, _day(bk.release_h, prep.warmup_h), np.nan)
    delivered = np.full(n_all, np.nan)
    train = np.full(n_all, -1, np.int64)
    seen = ok & (idx < len(released))  # released after the horizon: never reached the kernel
    delivered[seen] = released.delivered_day.to_numpy()[idx[seen]]
    train[seen] = released.train_id.to_numpy()[idx[seen]]
    return pd.DataFrame({
        "shipment_id": np.arange(n_all), "flow_id": _cat(route, [f.flow_id for f in flows]),
        "origin": _cat(route, [f.origin for f in flows]), "destination": _cat(route, [f.destination for f in flows]),
        "corridor": _cat(route, [f.corridor for f in flows]), "own_corridor": _cat(bk.own_route, [f.corridor for f in flows]),
        "route_source": _cat(route, [f.source.value for f in flows]),
        "booking": pd.Categorical.from_codes(bk.status.astype(np.int64), list(STATUS)),
        "teu": np.full(n_all, prep.options.container_teu), "created_day": created, "released_day": rel, "held_days": np.where(ok, bk.hold_h / 24.0, np.nan),
        "train_id": train, "delivered_day": delivered, "transit_days": delivered - rel,
        "direction": _cat(route, [_direction(prep, f) for f in flows]),
    })


def _direction(prep: Prepared, flow) -> str:
    """westbound when the destination lies west of the origin (China → Europe), else eastbound."""
    nodes = prep.builder.net.node_by_id
    return "westbound" if nodes[flow.destination].lon < nodes[flow.origin].lon else "eastbound"


def _stations(prep: Prepared) -> pd.DataFrame:
    W = prep.work
    si, sf = W.si, W.sf
    specs = prep.builder.stations
    fac = prep.builder.net.facility_by_id
    served = si[:, L.S_SERVED]
    return pd.DataFrame({
        "station_id": [s.station_id for s in specs], "kind": [s.kind for s in specs], "node_id": [s.node_id for s in specs],
        "facility": [s.target if s.kind != "quay" else s.station_id.replace(":", "_") for s in specs],
        "facility_kind": [fac[s.target.split("+")[0]].facility_kind if s.target.split("+")[0] in fac else s.kind for s in specs],
        "servers": si[:, L.S_SERVERS], "trains": served, "trains_incl_warmup": si[:, L.S_SERVED_ALL],
        "mean_wait_h": np.where(served > 0, sf[:, L.SF_WAIT_SUM] / np.maximum(served, 1), 0.0),
        "added_delay_train_h": sf[:, L.SF_WAIT_SUM], "mean_service_h": np.where(served > 0, sf[:, L.SF_SERVICE_SUM] / np.maximum(served, 1), 0.0),
        "max_queue_trains": si[:, L.S_QMAX], "queue_trains_end": si[:, L.S_QLEN],
    })


def _queues(prep: Prepared) -> pd.DataFrame:
    W = prep.work
    k = int(W.ctr[L.C_SAMPLE])
    q = W.sq[:k]
    specs = prep.builder.stations
    keep = list(range(len(specs)))  # every station, links too: a border link can be the worst bottleneck
    t = (W.sc[:k, 0] - prep.warmup_h) / 24.0
    return pd.DataFrame({
        "time_day": np.repeat(t, len(keep)),
        "station_id": pd.Categorical.from_codes(np.tile(np.arange(len(keep)), k), [specs[i].station_id for i in keep]),
        "queue_trains": q[:, keep].ravel() if keep else np.empty(0, np.int32),
    })


def _conservation(prep: Prepared, shipments: pd.DataFrame) -> pd.DataFrame:
    """Containers at every sample: ``generated`` (ready at their origin), ``delivered``, ``in_system`` (on a train or
    forming one: counted by the kernel over its trains), ``held`` at the origin and ``refused`` (booking), so that
    generated = delivered + in_system + held + refused. The kernel counts released containers; booking adds the rest."""
    W = prep.work
    k = int(W.ctr[L.C_SAMPLE])
    sc = W.sc[:k]
    t = sc[:, 0]
    out = pd.DataFrame({"time_day": (t - prep.warmup_h) / 24.0, "generated": sc[:, 1].astype(np.int64),
                        "delivered": sc[:, 2].astype(np.int64), "in_system": sc[:, 3].astype(np.int64),
                        "held": np.zeros(k, np.int64), "refused": np.zeros(k, np.int64)})
    bk = prep.booking
    if bk is not None:
        refused = np.sort(bk.created_h[bk.kernel < 0])
        created = np.sort(bk.created_h)
        ok = bk.kernel >= 0
        rel = np.sort(bk.release_h[ok])
        out["refused"] = np.searchsorted(refused, t, side="right")
        out["held"] = np.searchsorted(np.sort(bk.created_h[ok]), t, side="right") - np.searchsorted(rel, t, side="right")
        out["generated"] = np.searchsorted(created, t, side="right")
        _by_direction(prep, bk, out, t, shipments, sc)
    return out


def _by_direction(prep: Prepared, bk: Booked, out: pd.DataFrame, t: np.ndarray, shipments: pd.DataFrame, sc: np.ndarray) -> None:
    """The same balance per direction: generated, held and refused from the booking, delivered from the shipments'
    delivery times, in system from the kernel's own count over its trains (by their route's direction)."""
    west_route = np.array([prep.builder.net.node_by_id[r.flow.destination].lon < prep.builder.net.node_by_id[r.flow.origin].lon
                           for r in prep.routes])
    ok = bk.kernel >= 0
    delivered_h = shipments.delivered_day.to_numpy() * 24.0 + prep.warmup_h
    for name, col, west in (("westbound", L.SC_IN_WEST, True), ("eastbound", L.SC_IN_EAST, False)):
        mine = west_route[bk.own_route] == west  # a diversion keeps origin and destination, so the direction too
        out[f"generated_{name}"] = np.searchsorted(np.sort(bk.created_h[mine]), t, side="right")
        out[f"refused_{name}"] = np.searchsorted(np.sort(bk.created_h[mine & ~ok]), t, side="right")
        out[f"held_{name}"] = (np.searchsorted(np.sort(bk.created_h[mine & ok]), t, side="right")
                               - np.searchsorted(np.sort(bk.release_h[mine & ok]), t, side="right"))
        out[f"delivered_{name}"] = np.searchsorted(np.sort(delivered_h[mine & ~np.isnan(delivered_h)]), t, side="right")
        out[f"in_system_{name}"] = sc[:, col].astype(np.int64)


def _vlinks(prep: Prepared) -> pd.DataFrame:
    net = prep.builder.net
    lf = prep.work.lf
    rows = []
    for j, v in enumerate(prep.builder.vlinks):
        lk = net.link_by_id[v.link_id]
        ends = {net.node_by_id[lk.from_node].country, net.node_by_id[lk.to_node].country}
        rows.append({"link_id": v.link_id, "mode": lk.mode, "timetable": v.timetable, "fleet": 0 if v.timetable else v.fleet,
                     "max_wait_h": v.max_wait_h, "cap_teu": v.cap_teu[0], "cap_teu_reverse": v.cap_teu[1],
                     "departures_per_week": 168.0 / v.period_h, "sailings": int(lf[j, L.LF_SAILINGS]),
                     "teu_moved": float(lf[j, L.LF_TEU_MOVED]),
                     # a sailing carries its share of the week's background wagons; extra sailings carry no extra background
                     "background_t_moved": min(float(lf[j, L.LF_BG_T_MOVED]), (v.background_t[0] + v.background_t[1]) * 168.0 / v.period_h
                                               * (prep.horizon_h - prep.warmup_h) / 168.0),
                     "caspian": ends <= CASPIAN_COUNTRIES and lk.mode in ("ferry", "feeder")})
    return pd.DataFrame(rows, columns=VLINK_COLUMNS)


VLINK_COLUMNS = ["link_id", "mode", "timetable", "fleet", "max_wait_h", "cap_teu", "cap_teu_reverse", "departures_per_week", "sailings",
                 "teu_moved", "background_t_moved", "caspian"]
