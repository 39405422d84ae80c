"""Capacity per corridor and per element: maximum flows over the compiled station graph.

A corridor is the set of demand rows with one ``corridor`` label, in one direction (westbound / eastbound); its
capacity is the maximum flow from its origins to its destinations over the stations its rows' routes use (the
simulation's fixed routes). Origins and destinations are pooled (one commodity): cargo of one origin may count
towards another row's destination when their routes share stations, so the figure is an upper bound on any mix of
the corridor's flows. An element the flows of both directions use (a single track, a two-way yard, a port, a line
that westbound and eastbound rows run the same way) gives the direction analysed the larger of (a) its share in
proportion to the demand crossing it each way — what a first-come-first-served resource gives each direction when
demand grows in proportion — and (b) what the other direction cannot use: the element's capacity less the other
direction's own maximum flow through it. ``alone`` gives every element wholly to the direction analysed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from silkway.capacity.graph import CapacityGraph, compile_graph, element_kind, element_name
from silkway.capacity.maxflow import max_flow
from silkway.capacity.model import CapacityReport, CorridorCapacity, Direction, Element
from silkway.network.model import Network
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions

ALL = "all"


def analyse(net: Network, demand: Demand, options: SimOptions = SimOptions(), *, closures: bool = True) -> CapacityReport:
    """The capacity of every corridor (each direction, and ``all`` flows of a direction) and of every border
    crossing, gauge yard and Caspian crossing, on ``net`` with ``demand``'s routes."""
    g = compile_graph(net, demand, options, closures=closures)
    live = [k for k, r in enumerate(g.routes) if not r.dropped and r.stations]
    labels = sorted({g.routes[k].flow.corridor for k in live})
    corridors = []
    for label in [*labels, ALL]:
        scope = [k for k in live if label == ALL or g.routes[k].flow.corridor == label]
        for d in Direction:
            if any(g.directions[k] == d for k in scope):
                corridors.append(corridor_capacity(g, scope, d, label))
    return CapacityReport(net.as_of, g.train_teu, tuple(corridors), elements(g, corridors), closures)


def corridor_capacity(g: CapacityGraph, scope: Iterable[int], direction: Direction, label: str) -> CorridorCapacity:
    """The maximum flow of the routes ``scope`` going ``direction``; shared stations split by the demand of ``scope``."""
    scope = list(scope)
    mine = [k for k in scope if g.directions[k] == direction]
    split = max_flow(available(g, scope, direction), [g.routes[k].stations for k in mine])
    alone = max_flow(g.capacity, [g.routes[k].stations for k in mine])
    flows = [g.routes[k].flow for k in mine]
    teu_week = sum(f.teu_per_week for f in flows)
    return CorridorCapacity(
        label, direction, tuple(f.flow_id for f in flows), tuple(dict.fromkeys(f.origin for f in flows)),
        tuple(dict.fromkeys(f.destination for f in flows)), teu_week / 7.0 / g.train_teu, split.trains_day,
        _teu_year(split.trains_day, g.train_teu), alone.trains_day,
        tuple(g.station(i).station_id for i in split.binding),
        tuple(g.routes[k].flow.flow_id for k in mine if len(set(g.routes[k].stations)) < len(g.routes[k].stations)))


def available(g: CapacityGraph, scope: list[int], direction: Direction) -> np.ndarray:
    """Per station, the trains/day ``direction`` may use: all of it where the other direction of ``scope`` does
    not pass; else max(demand share × capacity, capacity − the other direction's maximum flow through it)."""
    share = direction_share(g, scope, direction)
    out = g.capacity * share
    others = [k for k in scope if g.directions[k] != direction]
    seen: dict[tuple[int, ...], float | None] = {}
    for i in np.flatnonzero(share < 1.0):
        through = tuple(k for k in others if i in g.routes[k].stations)
        if through not in seen:
            seen[through] = max_flow(g.capacity, [g.routes[k].stations for k in through]).trains_day
        other_max = seen[through]
        if other_max is not None and np.isfinite(g.capacity[i]):
            out[i] = max(out[i], g.capacity[i] - other_max)
    return out


def direction_share(g: CapacityGraph, scope: Iterable[int], direction: Direction) -> np.ndarray:
    """Per station, the share of its capacity ``direction`` gets: demand TEU crossing it that way ÷ both ways
    (1 where only one direction of ``scope`` uses it, or none)."""
    load = np.zeros((len(g.builder.stations), 2))
    for k in scope:
        col = 0 if g.directions[k] == direction else 1
        for s in set(g.routes[k].stations):
            load[s, col] += g.routes[k].flow.teu_per_week
    total = load.sum(axis=1)
    both = (load[:, 0] > 0) & (load[:, 1] > 0)
    return np.where(both, load[:, 0] / np.where(total > 0, total, 1.0), 1.0)


def elements(g: CapacityGraph, corridors: list[CorridorCapacity]) -> tuple[Element, ...]:
    """Border crossings, gauge yards and Caspian crossings, plus every other station some corridor's cut names."""
    index = g.builder.index
    binding: dict[int, list[str]] = {}
    for c in corridors:
        for sid in c.binding:
            binding.setdefault(index[sid], []).append(c.key)
    out = []
    for i in dict.fromkeys([*g.elements, *sorted(binding)]):
        s = g.station(i)
        cap, gross = _finite(g.capacity[i]), _finite(g.gross[i])
        out.append(Element(s.station_id, element_kind(g.builder, s), element_name(g.builder, s), _shared(g, i), gross,
                           float(g.closed[i]), cap, _teu_year(cap, g.train_teu), tuple(binding.get(i, ()))))
    return tuple(out)


def _shared(g: CapacityGraph, i: int) -> bool:
    s = g.station(i)
    if s.kind == "link":
        return s.station_id.endswith(":both")
    if s.kind == "handling":
        facs = [g.builder.net.facility_by_id[f] for f in s.target.split("+")]
        return not all(f.changes_gauge and f.gauge_to_mm for f in facs)
    return False


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _teu_year(trains_day: float | None, train_teu: float) -> float | None:
    return None if trains_day is None else trains_day * train_teu * 365.0
