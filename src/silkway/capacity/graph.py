"""The capacitated graph of a network: the simulation's own stations, with their container capacities.

The plan builder of the simulation (:mod:`silkway.simulation.plan`) turns each demand flow into the sequence of
stations its trains queue for (origin terminal, each rail link direction, border posts, gauge yards, quays,
destination terminal), with the rules the simulation applies: background trains off a link's or a facility's
capacity (``link_capacity``, ``container_capacity``), a single track = one gate for both directions, pooled yards,
ferry wagon places less background wagons (``PlanBuilder.vessel_link``). This module reads the capacity of each
station off those specs, so the analytic answer and the simulation share one set of rules:

- a gate of ``g`` hours per train → ``24 / g`` trains/day; a TEU gate of ``h`` hours per TEU → ``24 / (h × train_teu)``;
- ``c`` parallel servers of mean service ``m`` hours → ``c × 24 / m`` trains/day (never tighter than the gate by construction);
- a quay → departures per day × container TEU per departure from that side / ``train_teu``;
- customs (unlimited parallel clearance) → unlimited;

then multiplies by ``1 − expected closed fraction`` (random closures: events per year × duration / 365; recurring:
duration / 365; several closures of one station: ``1 − Π(1 − f)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from silkway.capacity.model import Direction, ElementKind
from silkway.network.model import Closure, Network
from silkway.simulation.demand import Demand
from silkway.simulation.options import SimOptions
from silkway.simulation.paths import gauge_yards
from silkway.simulation.plan import PlanBuilder, RouteSpec, StationSpec, _crosses, build
from silkway.simulation.result import CASPIAN_COUNTRIES

UNLIMITED = math.inf


@dataclass(frozen=True)
class CapacityGraph:
    """Stations (the simulation's) with capacities, and the routes of the demand's flows over them.

    ``capacity[i]``: container trains/day of station ``i`` after background and closures (inf = unlimited);
    ``gross[i]``: the same without background or closures; ``closed[i]``: its expected closed fraction."""

    builder: PlanBuilder
    routes: tuple[RouteSpec, ...]
    directions: tuple[Direction, ...]  # per route
    capacity: np.ndarray
    gross: np.ndarray
    closed: np.ndarray
    elements: tuple[int, ...]  # stations listed per element whether a route uses them or not
    train_teu: float

    def station(self, i: int) -> StationSpec:
        return self.builder.stations[i]


def compile_graph(net: Network, demand: Demand, options: SimOptions = SimOptions(), *,
                  closures: bool = True) -> CapacityGraph:
    """Plan the demand's routes as the simulation does (fixed routes) and read every station's capacity."""
    b, routes = build(net, demand, replace(options, route_mode="fixed"))
    elements = tuple(element_stations(b))
    gross_b = PlanBuilder(replace(net, background=()), b.options)
    for spec in _replay(b, gross_b):
        gross_b.add(spec)
    train_teu = options.train_teu or net.param.get("train_teu", 100.0)
    cap = np.array([station_trains_day(b, s, train_teu) for s in b.stations])
    gross = np.array([station_trains_day(gross_b, gross_b.stations[gross_b.index[s.station_id]], train_teu) for s in b.stations])
    rows = (net.closures if options.use_closures else ()) + tuple(options.extra_closures) if closures else ()
    closed = closed_fractions(b, rows)
    dirs = tuple(_direction(net, r) for r in routes)
    return CapacityGraph(b, tuple(routes), dirs, cap * (1.0 - closed), gross, closed, elements, train_teu)


def station_trains_day(b: PlanBuilder, s: StationSpec, train_teu: float) -> float:
    """Container trains/day a station passes at most (inf = unlimited), before closures."""
    if s.kind == "quay":
        v = b.vlinks[s.vlink]
        return 24.0 / v.period_h * max(v.cap_teu[s.side], 0.0) / train_teu
    caps = []
    if s.gate_h_train > 0:
        caps.append(24.0 / s.gate_h_train)
    if s.gate_h_teu > 0:
        caps.append(24.0 / (s.gate_h_teu * train_teu))
    if s.servers > 0 and s.mean_h > 0:
        caps.append(s.servers * 24.0 / s.mean_h)
    return min(caps) if caps else UNLIMITED


def closure_fraction(c: Closure) -> float:
    """Expected share of a year a closure keeps its target closed."""
    if c.kind == "random":
        return min(1.0, (c.events_per_year or 0.0) * c.duration_days / 365.0)
    return min(1.0, c.duration_days / 365.0)


def closed_fractions(b: PlanBuilder, closures: tuple[Closure, ...]) -> np.ndarray:
    """Per station, the expected closed fraction: the closures the simulation applies to it (its targets rule,
    ``engine._targets``; a quay closes with its vessel link), combined as independent events."""
    from silkway.simulation.engine import _targets  # the simulation's rule of which station a closure closes

    n_st = len(b.stations)
    open_share = np.ones(n_st + len(b.vlinks))
    for c in closures:
        for res in _targets(b, c):
            open_share[res] *= 1.0 - closure_fraction(c)
    per_station = np.array([open_share[n_st + s.vlink] if s.kind == "quay" else open_share[i] for i, s in enumerate(b.stations)])
    return 1.0 - per_station


def element_stations(b: PlanBuilder) -> list[int]:
    """The stations of every border crossing (cross-border rail link, each direction), gauge yard (pooled per node
    and gauge) and Caspian crossing (each side), added to ``b`` when no route uses them."""
    net = b.net
    out: list[int] = []
    for lk in net.links:
        if lk.mode == "rail" and _crosses(net, lk):
            out += [b.rail_link(lk, lk.from_node), b.rail_link(lk, lk.to_node)]
        elif lk.mode in ("ferry", "feeder") and _caspian(net, lk.from_node, lk.to_node):
            out += [b.quay(lk, lk.from_node), b.quay(lk, lk.to_node)]
    for node in sorted({f.node_id for f in net.facilities if f.changes_gauge}):
        for gauge in (1435, 1520):
            yards = gauge_yards(net, node, gauge)
            if yards:
                idx = b.yard(yards)
                if idx is not None:
                    out.append(idx)
    return list(dict.fromkeys(out))


def _replay(src: PlanBuilder, dst: PlanBuilder) -> list[StationSpec]:
    """The stations of ``src`` rebuilt by ``dst`` (same rules, another network: e.g. without background)."""
    net = dst.net
    out = []
    for s in src.stations:
        i: int | None
        if s.kind == "link":
            i = dst.rail_link(net.link_by_id[s.target], s.node_id)
        elif s.kind == "quay":
            i = dst.quay(net.link_by_id[s.target], s.node_id)
        elif s.kind == "handling":
            i = dst.yard(tuple(net.facility_by_id[f] for f in s.target.split("+")))
        else:
            i = dst.customs(net.facility_by_id[s.target])
        assert i is not None  # s is a station of the source plan, so the same facility gives one here
        out.append(dst.stations[i])
    return out


def element_kind(b: PlanBuilder, s: StationSpec) -> ElementKind:
    net = b.net
    if s.kind == "link":
        return ElementKind.BORDER_CROSSING if _crosses(net, net.link_by_id[s.target]) else ElementKind.RAIL_LINK
    if s.kind == "quay":
        lk = net.link_by_id[s.target]
        caspian = lk.mode in ("ferry", "feeder") and _caspian(net, lk.from_node, lk.to_node)
        return ElementKind.CASPIAN_CROSSING if caspian else ElementKind.VESSEL_LINK
    if s.kind == "customs":
        return ElementKind.CUSTOMS
    kind = net.facility_by_id[s.target.split("+")[0]].facility_kind
    return {"gauge_change": ElementKind.GAUGE_YARD, "dry_port": ElementKind.GAUGE_YARD, "terminal": ElementKind.TERMINAL,
            "seaport": ElementKind.SEAPORT, "border": ElementKind.BORDER_POST}.get(kind, ElementKind.BORDER_POST)


def element_name(b: PlanBuilder, s: StationSpec) -> str:
    """A reader's name: ``Horgos ↔ Altynkol (single track)``, ``Dostyk yards onto 1520 mm``, ``Kuryk → Alat ferry``."""
    net = b.net
    name = {n.node_id: n.name for n in net.nodes}
    if s.kind == "link":
        lk = net.link_by_id[s.target]
        if s.station_id.endswith(":both"):
            return f"{name[lk.from_node]} ↔ {name[lk.to_node]} (single track)"
        other = lk.to_node if s.node_id == lk.from_node else lk.from_node
        return f"{name[s.node_id]} → {name[other]}"
    if s.kind == "quay":
        lk = net.link_by_id[s.target]
        other = lk.to_node if s.node_id == lk.from_node else lk.from_node
        return f"{name[s.node_id]} → {name[other]} {lk.mode}"
    facs = [net.facility_by_id[f] for f in s.target.split("+")]
    if s.kind == "handling" and facs[0].changes_gauge:
        onto = sorted({g for f in facs for g in (f.gauge_to_mm or f.gauges)})
        yards = "yards" if len(facs) > 1 else "yard"
        return f"{name[s.node_id]} {yards} onto {'/'.join(map(str, onto))} mm"
    return f"{name[s.node_id]} {facs[0].facility_kind}" + (" customs" if s.kind == "customs" else "")


def _caspian(net: Network, a: str, b: str) -> bool:
    return {net.node_by_id[a].country, net.node_by_id[b].country} <= CASPIAN_COUNTRIES


def _direction(net: Network, r: RouteSpec) -> Direction:
    nodes = net.node_by_id
    return Direction.of(nodes[r.flow.origin].lon, nodes[r.flow.destination].lon)

