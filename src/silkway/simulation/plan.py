"""Compile (Network, Demand, SimOptions) into the arrays the event kernel runs on.

A *station* is anything a train queues for: a facility's handling (c parallel servers plus a
throughput gate of trains/day and TEU/day), a facility's customs (unlimited parallel clearance, green
channel), a rail link direction (unlimited trains in motion, a headway gate of 24 / trains-per-day;
single track = one gate shared by both directions) or the quay of a ferry/feeder link end.
A *route* is the station sequence of one demand flow (see docs/simulation.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from silkway.errors import RoutingError, SimulationError
from silkway.lognormal import sigma_from_p90
from silkway.network.model import Facility, Link, Network
from silkway.simulation import _layout as L
from silkway.simulation.choice import PlannerRoutes, planner_candidates, via_candidates
from silkway.simulation.demand import Demand, Flow
from silkway.simulation.options import SimOptions
from silkway.simulation.paths import Avoid, CorridorPath, corridor_path, gauge_yards
from silkway.vocabulary import WATER_MODES

VESSEL_MODES = WATER_MODES


@dataclass
class StationSpec:
    station_id: str
    kind: str  # handling | customs | link | quay
    node_id: str
    target: str  # facility id or link id
    servers: int = 0  # 0 = unlimited
    dist: int = L.DIST_ZERO
    a: float = 0.0
    b: float = 0.0
    mean_h: float = 0.0
    gate_h_train: float = 0.0
    gate_h_teu: float = 0.0
    green: bool = False
    engine_kind: int = L.KIND_SERVER
    vlink: int = -1
    side: int = 0
    nodes: tuple[str, ...] = ()  # nodes whose closure closes this station


@dataclass
class VesselLinkSpec:
    link_id: str
    timetable: bool
    cap_teu: tuple[float, float]  # container TEU per sailing from the from-node / to-node side, after background wagons
    mu: float
    sigma: float
    turn_h: tuple[float, float]
    fleet: int
    max_wait_h: float
    period_h: float
    first_h: float
    stations: tuple[int, int] = (-1, -1)
    background_t: tuple[float, float] = (0.0, 0.0)  # background cargo tonnes per sailing from each side


@dataclass
class RouteSpec:
    flow: Flow
    path: CorridorPath
    stations: list[int]
    base_h: float
    dropped: bool = False  # origin or destination avoided: the flow generates no shipments
    cost_usd_per_teu: float | None = None  # the route planner's freight cost (planner candidates: diversion options)


@dataclass
class PlanBuilder:
    net: Network
    options: SimOptions
    stations: list[StationSpec] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    vlinks: list[VesselLinkSpec] = field(default_factory=list)
    vindex: dict[str, int] = field(default_factory=dict)

    def add(self, spec: StationSpec) -> int:
        if spec.station_id not in self.index:
            self.index[spec.station_id] = len(self.stations)
            self.stations.append(spec)
        return self.index[spec.station_id]

    def service(self, median: float | None, p90: float | None) -> tuple[int, float, float, float]:
        """(dist, a, b, mean) of a lognormal given its median and P90 (deterministic when P90 ≤ median)."""
        if not median or median <= 0:
            return L.DIST_ZERO, 0.0, 0.0, 0.0
        if self.options.deterministic or p90 is None or p90 <= median:
            return L.DIST_DET, median, 0.0, median
        sigma = sigma_from_p90(median, p90)
        return L.DIST_LOGNORMAL, math.log(median), sigma, median * math.exp(sigma * sigma / 2)

    def handling(self, f: Facility) -> int | None:
        return self.yard((f,))

    def yard(self, facs: tuple[Facility, ...]) -> int | None:
        """One station for the handling of one facility, or of several yards at a node pooled (trains go to whichever
        is free): servers and capacities add up, the service time is the capacity-weighted one. Background trains
        (background.csv, priority reserved) take their trains/day off the capacity first."""
        caps = [container_capacity(self.net, f) for f in facs]
        cap = sum(c or 0.0 for c in caps) if all(caps) else None
        weights = [c or 1.0 for c in caps]
        med = _weighted([f.handling_h_median for f in facs], weights)
        p90 = _weighted([f.handling_h_p90 for f in facs], weights)
        dist, a, b, mean = self.service(med, p90)
        teu = sum(f.capacity_teu_day or 0.0 for f in facs) if all(f.capacity_teu_day for f in facs) else None
        if dist == L.DIST_ZERO and not cap and not teu:
            return None
        servers = max(1, math.ceil(cap * mean / 24.0 - 1e-9)) if cap else 0  # enough parallel tracks/cranes for the rated trains/day
        f0 = facs[0]
        return self.add(StationSpec("+".join(f.facility_id for f in facs) + ":handling", "handling", f0.node_id,
                                    "+".join(f.facility_id for f in facs), servers, dist, a, b, mean,
                                    24.0 / cap if cap else 0.0, 24.0 / teu if teu else 0.0, nodes=(f0.node_id,)))

    def customs(self, f: Facility) -> int | None:
        dist, a, b, mean = self.service(f.customs_h_median, f.customs_h_p90)
        if dist == L.DIST_ZERO:
            return None
        return self.add(StationSpec(f"{f.facility_id}:customs", "customs", f.node_id, f.facility_id, 0, dist, a, b, mean,
                                    green=True, nodes=(f.node_id,)))

    def rail_link(self, lk: Link, u: str) -> int:
        """A link direction: trains in motion are unlimited, starts are spaced by the headway gate of the container
        capacity (capacity − background trains/day in that direction); a single track shares one gate between the
        two directions: 24 h / (the two directions' container capacities added)."""
        dist, a, b, mean = self.service(lk.time_h_median, lk.time_h_median * lk.time_p90_factor)
        single = (lk.tracks or 1) < 2
        direction = "both" if single else ("fwd" if u == lk.from_node else "bwd")
        v = lk.to_node if u == lk.from_node else lk.from_node
        cap = link_capacity(self.net, lk, u)
        if single and cap:
            cap = cap + (link_capacity(self.net, lk, v) or 0.0)
        gate = 24.0 / cap if cap else 0.0
        nodes = (lk.from_node, lk.to_node) if single else (u,)
        return self.add(StationSpec(f"{lk.link_id}:{direction}", "link", u, lk.link_id, 0, dist, a, b, mean, gate, nodes=nodes))

    def quay(self, lk: Link, u: str) -> int:
        side = 0 if u == lk.from_node else 1
        if lk.link_id not in self.vindex:
            self.vindex[lk.link_id] = len(self.vlinks)
            self.vlinks.append(self.vessel_link(lk))
        v = self.vindex[lk.link_id]
        spec = self.vlinks[v]
        kind = L.KIND_TIMETABLE if spec.timetable else L.KIND_FLEET
        sid = self.add(StationSpec(f"{lk.link_id}:quay_{u}", "quay", u, lk.link_id, 0, L.DIST_ZERO, engine_kind=kind, vlink=v,
                                   side=side, mean_h=spec.period_h / 2 if spec.timetable else spec.max_wait_h, nodes=(u,)))
        st = list(spec.stations)
        st[side] = sid
        spec.stations = (st[0], st[1])
        return sid

    def vessel_link(self, lk: Link) -> VesselLinkSpec:
        if not lk.departures_per_week or not lk.capacity_teu_per_departure:
            raise SimulationError(f"link '{lk.link_id}' ({lk.mode}) needs departures_per_week and capacity_teu_per_departure")
        dist, a, b, mean = self.service(lk.time_h_median, lk.time_h_median * lk.time_p90_factor)
        sigma = b if dist == L.DIST_LOGNORMAL else 0.0
        turn = (self.port_turn_h(lk.to_node), self.port_turn_h(lk.from_node))
        period = 168.0 / lk.departures_per_week
        round_trip = 2 * mean + turn[0] + turn[1]  # mean sailing time: the fleet can keep the timetable on average
        fleet = max(1, math.ceil(round_trip / period - 1e-9))
        max_wait = max(0.0, (fleet * period - round_trip) / 2.0)
        caps, tonnes = [], []
        for end in (lk.from_node, lk.to_node):
            wagons = sum(bg.wagons_week or 0.0 for bg in self.net.background_of.get(("link", lk.link_id), ()) if bg.applies_from(end, lk))
            per_sailing = wagons / lk.departures_per_week
            caps.append(lk.capacity_teu_per_departure - per_sailing * self.net.param.get("teu_per_ferry_wagon", 2.0))
            tonnes.append(sum((bg.wagons_week or 0.0) * (bg.tonnes_per_wagon or 0.0) for bg in self.net.background_of.get(("link", lk.link_id), ())
                              if bg.applies_from(end, lk)) / lk.departures_per_week)
        return VesselLinkSpec(lk.link_id, lk.first_departure_h is not None, (caps[0], caps[1]), math.log(lk.time_h_median),
                              sigma, turn, fleet, max_wait, period, lk.first_departure_h or 0.0, background_t=(tonnes[0], tonnes[1]))

    def port_turn_h(self, node_id: str) -> float:
        ports = [f for f in self.net.facilities_at.get(node_id, ()) if f.facility_kind == "seaport"]
        return ports[0].handling_h_median or 0.0 if ports else 0.0


def build_route(b: PlanBuilder, flow: Flow, avoid: Avoid, path: CorridorPath | None = None) -> RouteSpec:
    """The station sequence of ``flow`` over ``path`` (default: the fastest path through the flow's via-sequence)."""
    if path is None:
        try:
            path = corridor_path(b.net, flow.origin, flow.destination, flow.via, corridor=flow.corridor, avoid=avoid)
        except RoutingError as exc:
            raise SimulationError(f"flow '{flow.flow_id}': {exc}") from None
    net = b.net
    seq: list[int | None] = []
    legs = path.legs
    first_vessel = bool(legs) and net.link_by_id[legs[0].link_id].mode in VESSEL_MODES
    seq.append(_end_facility(b, flow.origin, leaving_by_vessel=first_vessel))
    for i, leg in enumerate(legs):
        lk = net.link_by_id[leg.link_id]
        seq.append(b.quay(lk, leg.from_node) if lk.mode in VESSEL_MODES else b.rail_link(lk, leg.from_node))
        nxt = net.link_by_id[legs[i + 1].link_id] if i + 1 < len(legs) else None
        seq.extend(_node_stations(b, leg.to_node, lk, nxt, _gauge_after(path, i) if leg.to_node in path.gauge_changes else None))
    if legs:
        last = net.link_by_id[legs[-1].link_id]
        seq.append(_end_facility(b, flow.destination, leaving_by_vessel=last.mode in VESSEL_MODES))
    stations = [s for s in seq if s is not None]
    if not stations:
        raise SimulationError(f"flow '{flow.flow_id}': origin and destination coincide")
    base = sum(b.stations[s].mean_h for s in stations) + sum(_sailing_mean_h(b, leg.link_id) for leg in legs)
    return RouteSpec(flow, path, stations, base)


def _gauge_after(path: CorridorPath, i: int) -> int:
    """The gauge a train changes onto after leg ``i`` (that of the next leg; the other gauge at the destination)."""
    legs = path.legs
    if i + 1 < len(legs) and legs[i + 1].gauge in (1435, 1520):
        return legs[i + 1].gauge
    return 1435 if legs[i].gauge == 1520 else 1520


def container_capacity(net: Network, f: Facility) -> float | None:
    """A facility's trains/day left to containers after its background trains (None: no capacity given)."""
    if not f.capacity_trains_day:
        return None
    return f.capacity_trains_day - sum(bg.trains_day or 0.0 for bg in net.background_of.get(("facility", f.facility_id), ()))


def link_capacity(net: Network, lk: Link, u: str) -> float | None:
    """A rail link's trains/day leaving ``u`` left to containers after the background trains of that direction."""
    cap = lk.capacity_from(u)
    if not cap:
        return None
    return cap - sum(bg.trains_day or 0.0 for bg in net.background_of.get(("link", lk.link_id), ()) if bg.applies_from(u, lk))


def _weighted(values: list[float | None], weights: list[float]) -> float | None:
    known = [v for v in values if v is not None]
    if len(known) < len(values):
        return values[0] if len(values) == 1 else None
    return sum(v * w for v, w in zip(known, weights, strict=True)) / sum(weights)


def _sailing_mean_h(b: PlanBuilder, link_id: str) -> float:
    """Mean sailing time of a vessel leg (a quay station's own time is only the wait for a departure)."""
    if link_id not in b.vindex:
        return 0.0
    spec = b.vlinks[b.vindex[link_id]]
    return math.exp(spec.mu + spec.sigma * spec.sigma / 2.0)


def _end_facility(b: PlanBuilder, node_id: str, leaving_by_vessel: bool) -> int | None:
    kinds = ("seaport",) if leaving_by_vessel else ("terminal", "dry_port", "seaport")
    for kind in kinds:
        for f in b.net.facilities_at.get(node_id, ()):
            if f.facility_kind == kind:
                return b.handling(f)
    return None


def _node_stations(b: PlanBuilder, node_id: str, came: Link, nxt: Link | None, gauge_to: int | None) -> list[int | None]:
    """Stations at a node between two legs: seaport customs after a sailing, border formalities, the gauge yard(s)
    onto ``gauge_to`` (None: no gauge change here), the seaport before a sailing."""
    net = b.net
    out: list[int | None] = []
    facs = net.facilities_at.get(node_id, ())
    if came.mode in VESSEL_MODES:
        out += [b.customs(f) for f in facs if f.facility_kind == "seaport"]
    if _crosses(net, came) or (nxt is not None and _crosses(net, nxt)):
        for f in facs:
            if f.facility_kind == "border":
                out += [b.handling(f), b.customs(f)]
    if gauge_to:
        yards = gauge_yards(net, node_id, gauge_to)
        out += [b.yard(yards), *(b.customs(f) for f in yards)]
    if nxt is not None and nxt.mode in VESSEL_MODES and came.mode not in VESSEL_MODES:
        for f in facs:
            if f.facility_kind == "seaport":
                out += [b.handling(f), b.customs(f)]
    return out


def _crosses(net: Network, lk: Link) -> bool:
    return net.node_by_id[lk.from_node].country != net.node_by_id[lk.to_node].country or bool(lk.via_countries)


def build(net: Network, demand: Demand, options: SimOptions) -> tuple[PlanBuilder, list[RouteSpec]]:
    """Routes of the demand's flows (route k = flow k); in adaptive mode, extra candidate routes follow
    (:mod:`silkway.simulation.choice`: other rows' via-sequences, then the route planner's alternatives)."""
    avoid = Avoid.parse(net, options.avoid) if options.avoid else Avoid()
    b = PlanBuilder(net, options)
    planner = PlannerRoutes(b)
    routes = [_route_or_detour(b, f, demand, avoid, planner) for f in demand.flows]
    if options.route_mode == "adaptive":
        routes += via_candidates(b, demand, avoid, planner)
        routes += planner_candidates(b, planner, routes)
    elif options.booking:
        routes += planner_candidates(b, planner, routes)  # where booked-out cargo may divert (booking.py)
    return b, routes


def _route_or_detour(b: PlanBuilder, flow: Flow, demand: Demand, avoid: Avoid, planner: PlannerRoutes) -> RouteSpec:
    """The flow's own route; when ``avoid`` blocks it, the fastest of the routable via-sequences of flows sharing its
    origin or destination and the route planner's options (road only for a flow whose own corridor is the
    highway). A detour (also the row's via-sequence when ``avoid`` changed its path) is labelled with the corridor
    the planner gives its links, not the row's own label."""
    if avoid.blocks_node(b.net, flow.origin) or avoid.blocks_node(b.net, flow.destination):
        return RouteSpec(flow, CorridorPath((flow.origin,), (), (), 0.0), [], 0.0, dropped=True)
    try:
        own = build_route(b, flow, avoid)
    except SimulationError:
        if avoid == Avoid():
            raise
    else:
        if avoid == Avoid() or _same_links(own.path, corridor_path(b.net, flow.origin, flow.destination, flow.via, corridor=flow.corridor)):
            return own
        return RouteSpec(replace(flow, corridor=planner.corridor_of(own.path)), own.path, own.stations, own.base_h)
    scratch = PlanBuilder(b.net, b.options)  # options are compared here; only the chosen one gets stations in ``b``
    options = []
    for g in demand.flows:
        if g.origin == flow.origin or g.destination == flow.destination:
            alt = Flow(flow.flow_id, flow.origin, flow.destination, g.corridor, flow.teu_per_week, g.via,
                       flow.season_amplitude, flow.season_peak_day, flow.src, flow.note)
            try:
                r = build_route(scratch, alt, avoid)
            except SimulationError:
                continue
            options.append((r.base_h, replace(alt, corridor=planner.corridor_of(r.path)), r.path))
    for r in planner.for_pair(flow, with_road=flow.corridor == "highway", builder=scratch):
        options.append((r.base_h, replace(flow, corridor=r.flow.corridor, via=()), r.path))
    if not options:
        raise SimulationError(f"flow '{flow.flow_id}' ({flow.origin} → {flow.destination}) has no route avoiding the given places")
    _, chosen, path = min(options, key=lambda o: o[0])
    return build_route(b, chosen, Avoid(), path=path)


def _same_links(a: CorridorPath, b: CorridorPath) -> bool:
    return [leg.link_id for leg in a.legs] == [leg.link_id for leg in b.legs]


def station_arrays(b: PlanBuilder) -> tuple[np.ndarray, np.ndarray]:
    n = len(b.stations)
    si = np.zeros((n, L.S_NI), dtype=np.int64)
    sf = np.zeros((n, L.S_NF), dtype=np.float64)
    for i, s in enumerate(b.stations):
        si[i, L.S_SERVERS], si[i, L.S_DIST], si[i, L.S_KIND] = s.servers, s.dist, s.engine_kind
        si[i, L.S_VLINK], si[i, L.S_SIDE], si[i, L.S_GREEN] = s.vlink, s.side, int(s.green)
        si[i, L.S_RES] = n + s.vlink if s.kind == "quay" else i  # closures of a quay are those of its vessel link
        si[i, L.S_QHEAD] = si[i, L.S_QTAIL] = -1
        sf[i, L.SF_A], sf[i, L.SF_B], sf[i, L.SF_MEAN] = s.a, s.b, s.mean_h
        sf[i, L.SF_GATE_TRAIN], sf[i, L.SF_GATE_TEU] = s.gate_h_train, s.gate_h_teu
        sf[i, L.SF_DRAIN_H] = drain_h(b, s)
    return si, sf


def drain_h(b: PlanBuilder, s: StationSpec) -> float:
    """Hours one queued train adds to the wait of a train joining the queue (adaptive route choice): the
    station's spacing per train (gates; servers: mean service / servers), or at a quay the time the vessel
    link needs to lift one train's TEU at its nominal departure rate."""
    train_teu = b.options.train_teu or b.net.param.get("train_teu", 100.0)
    if s.kind == "quay":
        v = b.vlinks[s.vlink]
        return v.period_h * train_teu / max(v.cap_teu[s.side], 1e-9)
    gate = max(s.gate_h_train, s.gate_h_teu * train_teu)
    return max(gate, s.mean_h / s.servers) if s.servers else gate
