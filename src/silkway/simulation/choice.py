"""Candidate routes for adaptive route choice.

In ``adaptive`` mode every origin–destination pair of the demand may send each shipment over any of its
candidate routes; the kernel picks, every ``adaptive_refresh_hours``, the candidate with the least expected
time given the current queues (docs/simulation.md). The candidates of a pair are

1. the routes of its own demand rows (their corridor via-sequences);
2. the via-sequence of any other row sharing its origin or its destination, when routable for the pair
   without passing a node twice;
3. the corridor-diverse alternatives of the **route planner** (:mod:`silkway.routing`, objective time,
   the run's ``avoid`` applied), so a pair has alternatives even when no other row suggests one and a
   corridor the demand never names (Kazakhstan–Turkmenistan–Iran, deep sea) can take traffic.

Route choice here is a choice of *route*, not of mode: a pair whose own routes are all rail/water does not
get the planner's road options (``road`` is added to the planner's ``avoid``), since a block train's
containers are not moved to trucks because a border queue grows.
"""

from __future__ import annotations

from dataclasses import replace

from silkway.errors import RoutingError, SimulationError
from silkway.network.model import Network
from silkway.simulation.demand import Demand, Flow
from silkway.simulation.paths import Avoid, CorridorPath, PathLeg, gauge_yards
from silkway.vocabulary import RouteSource

PLANNER_ALTERNATIVES = 5  # corridor-diverse options asked of the planner per pair
PLANNER_SAMPLES = 16  # the planner's time sampling is not used here (only its paths), so keep it small


def via_candidates(b, demand: Demand, avoid: Avoid, planner: PlannerRoutes) -> list:
    """Each pair may also take the via-sequence (corridor) of any other flow sharing its origin or destination."""
    from silkway.simulation.plan import build_route

    seen = {(f.origin, f.destination, f.via) for f in demand.flows}
    out = []
    for f in demand.flows:
        for g in demand.flows:
            if g.via and (g.origin == f.origin or g.destination == f.destination) and (f.origin, f.destination, g.via) not in seen:
                seen.add((f.origin, f.destination, g.via))
                alt = Flow(f"{f.flow_id}~{g.flow_id}", f.origin, f.destination, g.corridor, 0.0, g.via, src=f.src,
                           source=RouteSource.CORRIDOR, candidate_of=f.flow_id)
                try:
                    route = build_route(b, alt, avoid)
                except SimulationError:
                    continue
                if len(set(route.path.node_ids)) == len(route.path.node_ids):  # not out and back through a via
                    route.flow = replace(alt, corridor=planner.corridor_of(route.path))
                    out.append(route)
    return out


_PLANNED = "_silkway_sim_planner_paths"  # the key of the planned paths in the network's instance __dict__


class PlannerRoutes:
    """The route planner's corridor-diverse, fastest-first alternatives for a pair, as simulation routes. The planner
    (its state graph, :func:`silkway.routing.planner.router_of`) and the paths it plans for a pair are kept on the
    network object, as the router is: runs on one network (a study's replications, a saturation curve's multipliers)
    plan each pair once; an edited network is another object with its own (no module-level cache)."""

    def __init__(self, b):
        self.b = b

    @property
    def router(self):
        from silkway.routing.planner import router_of

        return router_of(self.b.net)

    def corridor_of(self, path: CorridorPath) -> str:
        """The planner's corridor label for a path (a detour keeps no row's label: it is named by where it goes)."""
        return self.router.corridor_of(_link_key(path))

    def for_pair(self, flow: Flow, *, with_road: bool, builder=None) -> list:
        """Routes over the planner's options; their stations go to ``builder`` (default: the plan's own)."""
        from silkway.simulation.plan import build_route

        b = builder if builder is not None else self.b
        out = []
        for corridor, cost_usd, path in self._planned(flow.origin, flow.destination, with_road):
            alt = Flow(f"{flow.flow_id}~planner:{corridor}", flow.origin, flow.destination, corridor, flow.teu_per_week,
                       (), flow.season_amplitude, flow.season_peak_day, flow.src, "route from the route planner",
                       source=RouteSource.PLANNER, candidate_of=flow.flow_id)
            try:
                r = build_route(b, alt, Avoid(), path=path)
                out.append(replace(r, cost_usd_per_teu=cost_usd))
            except SimulationError:
                continue
        return out

    def _planned(self, origin: str, destination: str, with_road: bool) -> tuple[tuple[str, float, CorridorPath], ...]:
        """(corridor, freight rate per TEU, path) of each planner option the simulation can run (an option whose gauge
        change has no yard is left out), planned once per network, pair and ``avoid``."""
        avoid = tuple(self.b.options.avoid) + (() if with_road else ("road",))
        cache = vars(self.b.net).setdefault(_PLANNED, {})
        key = (origin, destination, avoid)
        if key not in cache:
            try:
                res = self.router.route(origin, destination, avoid=avoid, alternatives=PLANNER_ALTERNATIVES,
                                        objective="time", samples=PLANNER_SAMPLES)
            except RoutingError:
                cache[key] = ()
            else:
                planned = []
                for opt in res.options:
                    try:
                        planned.append((opt.corridor, opt.cost_usd, path_from_option(self.b.net, opt)))
                    except SimulationError:
                        continue
                cache[key] = tuple(planned)
        return cache[key]


def planner_candidates(b, planner: PlannerRoutes, routes: list) -> list:
    """The route planner's alternatives for every pair, minus those already candidates."""
    net: Network = b.net
    have = {(r.flow.origin, r.flow.destination, _link_key(r.path)) for r in routes}
    by_pair: dict[tuple[str, str], list] = {}
    for r in routes:
        if not r.dropped:
            by_pair.setdefault((r.flow.origin, r.flow.destination), []).append(r)
    out = []
    for (o, d), own in by_pair.items():
        uses_road = any(net.link_by_id[leg.link_id].mode == "road" for r in own for leg in r.path.legs)
        base = own[0].flow
        for r in planner.for_pair(Flow(base.flow_id, o, d, base.corridor, 0.0, src=base.src), with_road=uses_road):
            key = (o, d, _link_key(r.path))
            if key not in have:
                have.add(key)
                out.append(r)
    return out


def path_from_option(net: Network, option) -> CorridorPath:
    """A planner :class:`~silkway.routing.model.RouteOption` as the simulation's :class:`CorridorPath`: its move legs
    (gauge from the rail platform, 0 on water and road) and the nodes where consecutive rail legs change gauge."""
    legs = []
    for leg in option.legs:
        if leg.kind != "move" or not leg.link_id:
            continue
        platform = leg.platform or ""
        gauge = int(platform[4:]) if platform.startswith("rail") else 0
        legs.append(PathLeg(leg.link_id, leg.from_node, leg.to_node, gauge))
    if not legs:
        raise SimulationError(f"the planner's option {option.corridor} has no moving leg")
    changes = tuple(b.from_node for a, b in zip(legs, legs[1:], strict=False) if a.gauge and b.gauge and a.gauge != b.gauge)
    for a, b in zip(legs, legs[1:], strict=False):
        if a.gauge and b.gauge and a.gauge != b.gauge and not gauge_yards(net, b.from_node, b.gauge):
            # the planner may transload rail → road → rail at a terminal; a train changes gauge only in a yard that does it
            raise SimulationError(f"the planner's option {option.corridor} changes gauge at '{b.from_node}', where no yard "
                                  f"transships trains onto {b.gauge} mm")
    hours = sum(net.link_by_id[leg.link_id].time_h_median for leg in legs)
    return CorridorPath((legs[0].from_node, *(leg.to_node for leg in legs)), tuple(legs), changes, hours)


def _link_key(path: CorridorPath) -> tuple[str, ...]:
    return tuple(leg.link_id for leg in path.legs)
