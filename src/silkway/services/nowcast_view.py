"""The nowcast as the web page shows it (docs/nowcast.md, "The web page"): an observation file given as text, checked
with located errors, forecast by :func:`silkway.services.nowcast.forecast_from`, and the result as plain JSON-able
data: each train's observed position, remaining route and ETA band, each queued station's queue and clearance."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from silkway import limits
from silkway.defaults import examples_dir
from silkway.errors import DataError, Problem, SilkwayError
from silkway.nowcast.observations import parse_observations  # the one parser of the CLI, API and web (BOM, nesting)
from silkway.services._paths import OptPath
from silkway.services.nowcast import _at, forecast_from, nowcast_inputs

if TYPE_CHECKING:
    import pandas as pd

    from silkway.network.model import Network
    from silkway.nowcast.forecast import Desk, Forecast
    from silkway.nowcast.observations import Observation
    from silkway.simulation.demand import Demand

EXAMPLE = "observations.csv"  # the example observation file shipped in examples/ (package data)
Progress = Callable[[int, int, str], None]


def example_observations() -> tuple[str, str]:
    """(file name, text) of the shipped example observation file."""
    path = examples_dir() / EXAMPLE
    if not path.is_file():
        raise SilkwayError(f"the example observation file {EXAMPLE} is not installed (expected in {path.parent})")
    return EXAMPLE, path.read_text(encoding="utf-8")


def summarize(obs: list[Observation], name: str) -> dict[str, Any]:
    """Rows, trains, time range, rows per kind, and a forecast time to suggest (the last observation, to the hour)."""
    last = obs[-1].time
    suggested = last.replace(minute=0, second=0, microsecond=0)
    if suggested < last:
        suggested += timedelta(hours=1)
    kinds: dict[str, int] = {}
    for o in obs:
        kinds[o.kind.value] = kinds.get(o.kind.value, 0) + 1
    return {"file": name, "rows": len(obs), "trains": len({o.train_id for o in obs if o.train_id}), "first": iso(obs[0].time),
            "last": iso(last), "kinds": kinds, "suggested_at": iso(suggested)}


@dataclass
class NowcastInput:
    """A checked request: its observations, the forecast time, the network and demand they refer to."""

    name: str
    observations: list[Observation]
    at: datetime
    net: Network
    demand: Demand
    digest: str  # sha256 of the file's text and name: with the parameters, what identifies a result


def check_file(text: str, name: str, dataset: OptPath = None) -> dict[str, Any]:
    """:func:`summarize` of a file whose rows and places are valid (against the network as of the suggested time);
    else a DataError locating every problem."""
    obs = parse_observations(text, name)
    summary = summarize(obs, name)
    nowcast_inputs(obs, name, _at(summary["suggested_at"]), dataset)
    return summary


def check_input(text: str, name: str, at: str | datetime, *, horizon_days: float, members: int, dataset: OptPath = None) -> NowcastInput:
    """Everything a forecast needs, checked before any work is queued: the bounds of :mod:`silkway.limits`, the time,
    the rows (located errors) and their places, nodes and flows against the network as of ``at``."""
    limits.NOWCAST_HORIZON_DAYS.check(horizon_days)
    limits.NOWCAST_MEMBERS.check(members)
    t_at = _at(at)
    obs = parse_observations(text, name)
    if obs[0].time > t_at:
        raise SilkwayError(f"at {iso(t_at)} is before the first observation ({iso(obs[0].time)}): nothing is known yet")
    net, demand = nowcast_inputs(obs, name, t_at, dataset)
    digest = hashlib.sha256(name.encode() + b"\0" + text.encode()).hexdigest()
    return NowcastInput(name, obs, t_at, net, demand, digest)


def nowcast_view(inp: NowcastInput, *, horizon_days: float, members: int, seed: int = 0,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Run the ensemble and describe it for the map and tables (times as ISO 8601 UTC, hours after ``at``; a quantile
    beyond the horizon is None)."""
    step = progress or (lambda *_: None)
    step(1, 3, f"forecasting: {members} members over {horizon_days:g} days")
    desk, run = forecast_from(inp.observations, inp.at, inp.net, inp.demand, horizon_days=horizon_days, members=members, seed=seed)
    step(2, 3, "placing the trains on the map")
    fc: Forecast = run.forecast  # type: ignore[assignment]  # NowcastRun keeps it untyped (lazy imports)
    places = _train_places(desk, inp.observations, fc.t0_h, horizon_days)
    t0 = fc.t0_h
    net = inp.net
    name = _namer(net)
    trains = []
    eta: pd.DataFrame = run.eta  # NowcastRun keeps its tables untyped (lazy imports)
    clearance: pd.DataFrame = run.clearance
    for row in eta.itertuples(index=False):
        place = places.get(row.train_id)
        if place is None:
            continue
        hours = [_after(h, t0) for h in (row.eta_p10_h, row.eta_p50_h, row.eta_p90_h)]
        trains.append({"train_id": row.train_id, **place, "origin_name": name(place["origin"]), "destination_name": name(place["destination"]),
                       "eta_p10": _time(desk.origin, row.eta_p10_h), "eta_p50": _time(desk.origin, row.eta_p50_h),
                       "eta_p90": _time(desk.origin, row.eta_p90_h), "eta_p10_h": hours[0], "eta_p50_h": hours[1], "eta_p90_h": hours[2],
                       "p_arrive": round(float(row.p_arrive_within_horizon), 4)})
    trains.sort(key=lambda t: (t["eta_p50_h"] is None, t["eta_p50_h"] or 0.0, t["train_id"]))
    queues = []
    for row in clearance.itertuples(index=False):
        spec = desk.builder.stations[desk.builder.index[row.station]]
        j = fc.stations.index(row.station)
        cleared = [x for x in fc.clearance_h[:, j] if math.isfinite(x)]
        queues.append({"station": row.station, "kind": spec.kind, "node_id": spec.node_id, "name": _station_name(net, spec),
                       "link_id": spec.target if spec.kind in ("link", "quay") else None, "both_ways": row.station.endswith(":both"),
                       "queue_trains": int(row.queue_trains_t0), "clear_p10_h": _finite(row.clear_p10_h),
                       "clear_p50_h": _finite(row.clear_p50_h), "clear_p90_h": _finite(row.clear_p90_h),
                       "p_clear": round(len(cleared) / max(1, members), 4)})
    queues.sort(key=lambda q: -q["queue_trains"])
    dm = sorted(float(x) for x in fc.demand_multiplier)
    step(3, 3, "done")
    return {"file": inp.name, "at": iso(inp.at), "horizon_days": horizon_days, "members": members, "seed": seed,
            "network_as_of": inp.at.date().isoformat(), "trains": trains, "queues": queues,
            "demand_multiplier": {"p10": dm[int(0.1 * (len(dm) - 1))], "p50": dm[len(dm) // 2], "p90": dm[int(0.9 * (len(dm) - 1))]},
            "problems": [_problem(p) for p in fc.problems]}


def problem_dicts(exc: DataError) -> list[dict[str, Any]]:
    """The located problems of ``exc`` in file order (line by line)."""
    return [_problem(p) for p in sorted(exc.problems, key=lambda p: p.line or 0)]


def _problem(p: Problem) -> dict[str, Any]:
    return {"file": p.file, "line": p.line, "field": p.field, "message": p.message, "text": str(p)}


def _train_places(desk: Desk, obs: list[Observation], t0_h: float, horizon_days: float) -> dict[str, dict[str, Any]]:
    """Per train in the warm start: where it is (a node, or a fraction along a link), what it is doing, and the legs
    left to its destination. The kernel's own placement (the forecast's warm start, built once more without demand)."""
    import numpy as np

    from silkway.nowcast.observations import ObsKind, hours_since
    from silkway.simulation import _layout as L
    from silkway.simulation.warm import station_matches, warm_prepare

    o = desk.options
    warm_h = o.warmup_days * 24.0
    ws = warm_prepare(desk.builder, desk.routes, desk.demand, o, days=(t0_h + horizon_days * 24.0 - warm_h) / 24.0, seed=desk.seed,
                      closures=desk.net.closures if o.use_closures else (), observations=obs, t0_h=t0_h, origin=desk.origin,
                      arrivals=(np.empty(0), np.empty(0, dtype=np.int64)))
    W = ws.prep.work
    last: dict[str, Observation] = {}
    for row in obs:
        if row.train_id and hours_since(row.time, desk.origin) <= t0_h + 1e-9:
            last[row.train_id] = row
    out: dict[str, dict[str, Any]] = {}
    for tid, tr in ws.train_index.items():
        route = ws.prep.routes[int(W[L.TI][tr, L.T_ROUTE])]
        legs = list(route.path.legs)
        pos = int(W[L.TI][tr, L.T_POS])
        ob = last.get(tid)
        kind = ob.kind if ob is not None else None
        base: dict[str, Any] = {"flow_id": route.flow.flow_id, "origin": route.flow.origin, "destination": route.flow.destination,
                "last_kind": kind.value if kind else None, "last_time": iso(ob.time) if ob else None, "last_line": ob.line if ob else None}
        if pos < 0:
            out[tid] = {**base, "node_id": route.flow.origin, "link_id": None, "fraction": None, "doing": "forming",
                        "remaining": _legs(legs)}
            continue
        s = int(W[L.RST][pos])
        spec = desk.builder.stations[s]
        here = ob is not None and station_matches(desk.builder, s, ob.place, "quay" if ob.kind in (ObsKind.LOADED_ON_FERRY, ObsKind.SAILED)
                                                  else (ob.stage.value if ob.stage else None), ob.node)
        since = hours_since(ob.time, desk.origin) if ob else t0_h
        if spec.kind in ("link", "quay"):
            i = next((k for k, leg in enumerate(legs) if leg.link_id == spec.target), 0)
            moving = here and ((spec.kind == "link" and kind == ObsKind.STARTED) or kind == ObsKind.SAILED)
            mean_h = spec.mean_h if spec.kind == "link" else _sailing_h(desk.builder, spec.target)
            fraction = min(0.95, max(0.05, (t0_h - since) / mean_h)) if moving and mean_h > 0 else None
            doing = ("sailing" if spec.kind == "quay" else "moving") if moving else (
                "loading" if here and kind == ObsKind.LOADED_ON_FERRY else "waiting for a vessel" if spec.kind == "quay" else "waiting to depart")
            out[tid] = {**base, "node_id": legs[i].from_node if legs else spec.node_id, "link_id": spec.target if moving else None,
                        "to_node": legs[i].to_node if legs else None, "fraction": fraction, "doing": doing, "remaining": _legs(legs[i:])}
        else:
            i = next((k for k, leg in enumerate(legs) if leg.from_node == spec.node_id), len(legs))
            busy = here and kind == ObsKind.STARTED
            out[tid] = {**base, "node_id": spec.node_id, "link_id": None, "fraction": None,
                        "doing": f"{spec.kind} in progress" if busy else f"waiting for {spec.kind}", "remaining": _legs(legs[i:])}
    return out


def _station_name(net: Any, spec: Any) -> str:
    """'Dostyk (handling)', 'Alashankou – Dostyk (link, both ways)', 'Baku/Alat quay (Aktau – Baku/Alat)'."""
    name = _namer(net)
    if spec.kind in ("link", "quay") and spec.target in net.link_by_id:
        lk = net.link_by_id[spec.target]
        ends = f"{name(lk.from_node)} – {name(lk.to_node)}"
        if spec.kind == "quay":
            return f"{name(spec.node_id)} quay ({ends})"
        return f"{ends} ({'link, both ways' if spec.station_id.endswith(':both') else 'link'})"
    return f"{name(spec.node_id)} ({spec.kind})"


def _sailing_h(builder: Any, link_id: str) -> float:
    v = builder.vindex.get(link_id)
    return math.exp(builder.vlinks[v].mu + builder.vlinks[v].sigma ** 2 / 2.0) if v is not None else 0.0


def _legs(legs: list[Any]) -> list[list[str]]:
    return [[leg.link_id, leg.from_node, leg.to_node] for leg in legs]


def _namer(net: Any) -> Callable[[str], str]:
    return lambda node_id: net.node_by_id[node_id].name if node_id in net.node_by_id else node_id


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _finite(h: float) -> float | None:
    return round(float(h), 2) if math.isfinite(h) else None


def _after(h: float, t0_h: float) -> float | None:
    return round(float(h) - t0_h, 2) if math.isfinite(h) else None


def _time(origin: datetime, h: float) -> str | None:
    return iso((origin + timedelta(hours=float(h))).replace(second=0, microsecond=0)) if math.isfinite(h) else None
