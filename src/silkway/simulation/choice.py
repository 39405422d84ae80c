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

from silkway.errors import RoutingError, SimulationError
from silkway.network.model import Network
from silkway.simulation.demand import Demand, Flow
from silkway.simulation.paths import Avoid, CorridorPath, PathLeg

PLANNER_ALTERNATIVES = 5  # corridor-diverse options asked of the planner per pair
PLANNER_SAMPLES = 16  # the planner's time sampling is not used here (only its paths), so keep it small


def via_candidates(b, demand: Demand, routes: list, avoid: Avoid) -> list:
    """Each pair may also take the via-sequence (corridor) of any other flow sharing its origin or destination."""
    from silkway.simulation.plan import build_route

    seen = {(f.origin, f.destination, f.via) for f in demand.flows}
    out = []
    for f in demand.flows:
        for g in demand.flows:
            if g.via and (g.origin == f.origin or g.destination == f.destination) and (f.origin, f.destination, g.via) not in seen:
                seen.add((f.origin, f.destination, g.via))
                alt = Flow(f"{f.flow_id}~{g.flow_id}", f.origin, f.destination, g.corridor, 0.0, g.via, src=f.src)
                try:
                    route = build_route(b, alt, avoid)
                except SimulationError:
                    continue
                if len(set(route.path.node_ids)) == len(route.path.node_ids):  # not out and back through a via
                    out.append(route)
    return out


def planner_candidates(b, demand: Demand, routes: list, avoid_items: tuple[str, ...]) -> list:
    """The route planner's corridor-diverse alternatives for every pair, minus those already candidates."""
    from silkway.routing.planner import Router
    from silkway.simulation.plan import build_route

    net: Network = b.net
    router = Router(net)
    have = {(r.flow.origin, r.flow.destination, _link_key(r.path)) for r in routes}
    by_pair: dict[tuple[str, str], list] = {}
    for r in routes:
        if not r.dropped:
            by_pair.setdefault((r.flow.origin, r.flow.destination), []).append(r)
    out = []
    for (o, d), own in by_pair.items():
        uses_road = any(net.link_by_id[leg.link_id].mode == "road" for r in own for leg in r.path.legs)
        avoid = tuple(avoid_items) + (() if uses_road else ("road",))
        try:
            res = router.route(o, d, avoid=avoid, alternatives=PLANNER_ALTERNATIVES, objective="time", samples=PLANNER_SAMPLES)
        except RoutingError:
            continue
        for opt in res.options:
            path = path_from_option(net, opt)
            key = (o, d, _link_key(path))
            if key in have:
                continue
            have.add(key)
            flow = Flow(f"{own[0].flow.flow_id}~planner:{opt.corridor}", o, d, opt.corridor, 0.0, (),
                        src=own[0].flow.src, note="alternative from the route planner")
            try:
                out.append(build_route(b, flow, Avoid(), path=path))
            except SimulationError:
                continue
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
    hours = sum(net.link_by_id[leg.link_id].time_h_median for leg in legs)
    return CorridorPath((legs[0].from_node, *(leg.to_node for leg in legs)), tuple(legs), changes, hours)


def _link_key(path: CorridorPath) -> tuple[str, ...]:
    return tuple(leg.link_id for leg in path.legs)
