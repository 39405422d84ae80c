"""Apply a scenario: a pure function (Scenario, Network, Demand) → (Network, Demand, SimOptions).

The Network is frozen; every change builds copies with :func:`dataclasses.replace`, so applying a
scenario can never leak into another. Place names are resolved tolerantly (ids, names, aliases).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from silkway.errors import RoutingError, ScenarioError
from silkway.network.model import Closure, Facility, Link, Network
from silkway.network.places import name_index, resolve_place
from silkway.scenarios.model import ClosureSpec, LinkSelector, Scenario

if TYPE_CHECKING:  # the simulation package is imported lazily by apply()
    from silkway.simulation import Demand, SimOptions


class Applied(NamedTuple):
    network: Network
    demand: Demand
    options: SimOptions


def apply(scenario: Scenario, net: Network, demand: Demand | None = None, options: SimOptions | None = None) -> Applied:
    """The scenario's network, demand and simulation options (inputs are not modified)."""
    from silkway.simulation import SimOptions, dataset_demand

    new_net = apply_network(scenario, net)
    base_demand = demand if demand is not None else dataset_demand(scenario.dataset, net)
    new_demand = apply_demand(scenario, new_net, base_demand)
    new_options = replace(options if options is not None else SimOptions(), **option_changes(scenario, new_net))
    return Applied(new_net, new_demand, new_options)


def apply_network(scenario: Scenario, net: Network) -> Network:
    """Link changes, facility changes and new facilities, in file order."""
    links = {lk.link_id: lk for lk in net.links}
    for i, change in enumerate(scenario.links):
        for lid in select_links(net, change, f"links[{i}]"):
            links[lid] = _change(links[lid], change.set, change.scale, f"links[{i}]")
    facilities = {f.facility_id: f for f in net.facilities}
    for i, fc in enumerate(scenario.facilities):
        for fid in _select_facilities(net, fc.ids, fc.node, fc.kind, f"facilities[{i}]"):
            facilities[fid] = _change(facilities[fid], fc.set, fc.scale, f"facilities[{i}]")
    idx = name_index(net)
    for i, nf in enumerate(scenario.new_facilities):
        where = f"new_facilities[{i}]"
        if nf.facility_id in facilities:
            raise ScenarioError(f"{where}.facility_id: '{nf.facility_id}' already exists")
        fields = nf.model_dump(exclude={"node"})
        facilities[nf.facility_id] = Facility(node_id=_place(net, nf.node, f"{where}.node", idx), **fields)
    return replace(net, links=tuple(links.values()), facilities=tuple(facilities.values()))


def option_changes(scenario: Scenario, net: Network) -> dict[str, Any]:
    """Fields of SimOptions the scenario sets (customs, closures, avoid, route mode, warm-up)."""
    out: dict[str, Any] = {}
    if scenario.customs.green_channel_share is not None:
        out["green_channel_share"] = scenario.customs.green_channel_share
    if scenario.customs.green_channel_factor is not None:
        out["green_channel_factor"] = scenario.customs.green_channel_factor
    closures = tuple(c for i, spec in enumerate(scenario.closures) for c in closures_of(net, spec, f"closures[{i}]"))
    if closures:
        out["extra_closures"] = closures
    if scenario.avoid:
        out["avoid"] = tuple(scenario.avoid)
    if scenario.simulation.route_mode is not None:
        out["route_mode"] = scenario.simulation.route_mode
    if scenario.simulation.warmup_days is not None:
        out["warmup_days"] = scenario.simulation.warmup_days
    return out


def apply_demand(scenario: Scenario, net: Network, demand: Demand) -> Demand:
    """Demand growth factors in file order (all flows, one OD pair, or one corridor); factor 0 removes flows."""
    idx = name_index(net)
    for i, g in enumerate(scenario.demand.growth):
        where = f"demand.growth[{i}]"
        if g.od is not None:
            o, d = (_place(net, p, f"{where}.od", idx) for p in g.od)
            demand = demand.scaled_od(o, d, g.factor, both_directions=g.both_directions)
        elif g.corridor is not None:
            corridors = demand.corridors()
            if g.corridor not in corridors:
                raise ScenarioError(f"{where}.corridor: no demand flow on corridor '{g.corridor}' (flows use: {', '.join(corridors)})")
            demand = demand.scaled_corridor(g.corridor, g.factor)
        else:
            demand = demand.scaled(g.factor)
    if any(g.factor == 0 for g in scenario.demand.growth):
        demand = type(demand)(tuple(f for f in demand.flows if f.teu_per_week > 0))  # factor 0 removes flows
        if not demand.flows:
            raise ScenarioError("demand.growth: factor 0 removed every flow")
    return demand


def closures_of(net: Network, spec: ClosureSpec, where: str) -> tuple[Closure, ...]:
    if spec.target == "link":
        ids = select_links(net, spec.selector(), where)
    elif spec.target == "node":
        idx = name_index(net)
        ids = tuple(_place(net, n, f"{where}.ids", idx) for n in spec.ids)
    else:
        ids = _select_facilities(net, spec.ids, None, None, where)
    note = spec.note or "scenario closure"
    return tuple(
        Closure(closure_id=f"scenario-{where}-{tid}", target_kind=spec.target, target_id=tid, kind="recurring",
                duration_days=spec.days, start_day_of_year=spec.start_day, note=note)
        for tid in ids
    )


def select_links(net: Network, sel: LinkSelector, where: str) -> tuple[str, ...]:
    """Ids of the links matching every criterion of ``sel`` (an error if none match)."""
    candidates = list(net.links)
    if sel.ids:
        unknown = [i for i in sel.ids if i not in net.link_by_id]
        if unknown:
            raise ScenarioError(f"{where}.ids: unknown link id(s) {', '.join(unknown)}")
        candidates = [net.link_by_id[i] for i in sel.ids]
    if sel.between is not None:
        on_path = set(shortest_path_links(net, *sel.between, where=f"{where}.between"))
        candidates = [lk for lk in candidates if lk.link_id in on_path]
    candidates = [lk for lk in candidates if _matches(lk, sel)]
    if not candidates:
        raise ScenarioError(f"{where}: no link matches {sel.model_dump(exclude_defaults=True, include=_SEL_KEYS)}")
    return tuple(lk.link_id for lk in candidates)


_SEL_KEYS = {"ids", "between", "mode", "corridor", "country"}


def _matches(lk: Link, sel: LinkSelector) -> bool:
    return ((sel.mode is None or lk.mode == sel.mode)
            and (sel.corridor is None or sel.corridor in lk.corridor)
            and (sel.country is None or sel.country in lk.countries))


def shortest_path_links(net: Network, a: str, b: str, *, where: str = "between") -> list[str]:
    """Link ids of the shortest (by distance) path between two places (Dijkstra; rail preferred on ties)."""
    idx = name_index(net)
    src, dst = _place(net, a, where, idx), _place(net, b, where, idx)
    adj: dict[str, list[tuple[float, str, str]]] = {}
    for lk in net.links:
        adj.setdefault(lk.from_node, []).append((lk.distance_km, lk.to_node, lk.link_id))
        adj.setdefault(lk.to_node, []).append((lk.distance_km, lk.from_node, lk.link_id))
    dist = {src: 0.0}
    prev: dict[str, tuple[str, str]] = {}
    heap = [(0.0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == dst:
            break
        if d > dist.get(u, float("inf")):
            continue
        for w, v, lid in adj.get(u, ()):
            if d + w < dist.get(v, float("inf")):
                dist[v] = d + w
                prev[v] = (u, lid)
                heapq.heappush(heap, (d + w, v))
    if dst not in dist:
        raise ScenarioError(f"{where}: no path between '{a}' and '{b}'")
    path: list[str] = []
    node = dst
    while node != src:
        node, lid = prev[node]
        path.append(lid)
    return path[::-1]


def _select_facilities(net: Network, ids: tuple[str, ...], node: str | None, kind: str | None, where: str) -> tuple[str, ...]:
    unknown = [i for i in ids if i not in net.facility_by_id]
    if unknown:
        raise ScenarioError(f"{where}.ids: unknown facility id(s) {', '.join(unknown)}")
    found = [net.facility_by_id[i] for i in ids] if ids else list(net.facilities)
    if node is not None:
        node_id = _place(net, node, f"{where}.node")
        found = [f for f in found if f.node_id == node_id]
    if kind is not None:
        found = [f for f in found if f.facility_kind == kind]
    if not found:
        raise ScenarioError(f"{where}: no facility matches")
    return tuple(f.facility_id for f in found)


_Field = TypeVar("_Field", bound=str)


def _change(record: Any, set_: Mapping[_Field, float], scale: Mapping[_Field, float], where: str) -> Any:
    values: dict[str, float] = {str(k): v for k, v in set_.items()}
    for key, factor in scale.items():
        current = getattr(record, key)
        if current is None:
            rid = getattr(record, "link_id", None) or getattr(record, "facility_id", "?")
            raise ScenarioError(f"{where}.scale.{key}: '{rid}' has no {key} to scale (use 'set')")
        values[key] = values.get(key, current) * factor
    return replace(record, **values)


def _place(net: Network, name: str, where: str, idx: Mapping[str, str] | None = None) -> str:
    try:
        return resolve_place(net, name, idx)
    except RoutingError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
