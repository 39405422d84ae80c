"""Gauge-aware fastest paths through a demand row's via-sequence (the row's corridor route in the simulation).

Via items may be link ids (e.g. the Aktau–Alat feeder rather than the rail ferry), which the planner does not take;
adaptive route choice adds the planner's own alternatives (:mod:`silkway.simulation.choice`).

State = (via layer, node, gauge). Gauge 0 means "free": at the origin or after a non-rail leg
(containers lifted at a port), a train may start on either gauge. A rail link is usable on a gauge it
carries; the gauge changes only at a node with a gauge-changing facility, at a cost of the facility's
median handling time plus its minimum headway (24 / trains per day), so faster and larger yards win.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from silkway.errors import RoutingError
from silkway.network.model import Facility, Link, Network
from silkway.vocabulary import RAIL_BORNE_MODES

RAIL_MODES = RAIL_BORNE_MODES
MODES_BY_CORRIDOR = {"highway": frozenset({"road"}), "sea": frozenset({"rail", "feeder", "sea"})}


@dataclass(frozen=True)
class PathLeg:
    link_id: str
    from_node: str
    to_node: str
    gauge: int  # 1435 / 1520 on rail, 0 otherwise


@dataclass(frozen=True)
class CorridorPath:
    node_ids: tuple[str, ...]
    legs: tuple[PathLeg, ...]
    gauge_changes: tuple[str, ...]  # node ids where the train changes gauge
    hours: float


@dataclass(frozen=True)
class Avoid:
    countries: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()

    @staticmethod
    def parse(net: Network, items: tuple[str, ...]) -> Avoid:
        """The route planner's reading of avoid items (country codes, modes, tolerant place names), so a
        simulation and a route query understand ``--avoid`` identically; an unknown item is a RoutingError."""
        from silkway.routing.constraints import parse_avoid

        a = parse_avoid(net, tuple(items))
        return Avoid(a.countries, a.nodes, a.modes)

    def blocks_link(self, lk: Link) -> bool:
        return lk.mode in self.modes or any(c in self.countries for c in lk.countries)

    def blocks_node(self, net: Network, node_id: str) -> bool:
        return node_id in self.nodes or net.node_by_id[node_id].country in self.countries


def gauge_yards(net: Network, node_id: str, to_gauge: int) -> tuple[Facility, ...]:
    """The yards at a node that transship trains onto ``to_gauge`` (directional yards one way only)."""
    return tuple(f for f in net.facilities_at.get(node_id, ()) if f.changes_gauge_to(to_gauge) and {1435, 1520} <= set(f.gauges))


def gauge_change_cost_h(net: Network, node_id: str, to_gauge: int) -> float | None:
    """Hours a gauge change onto ``to_gauge`` costs at a node (handling plus the spacing of the yards' pooled
    capacity); None when no yard there does it."""
    yards = gauge_yards(net, node_id, to_gauge)
    if not yards:
        return None
    cap = sum(f.capacity_trains_day or 0.0 for f in yards)
    return min(f.handling_h_median or 0.0 for f in yards) + (24.0 / cap if cap else 0.0)


def corridor_path(net: Network, origin: str, destination: str, via: tuple[str, ...] = (), *,
                  corridor: str = "", avoid: Avoid = Avoid()) -> CorridorPath:
    """Fastest path origin → via… → destination (median moving time + gauge changes).

    A ``via`` item is a node id (the path passes the node) or a link id (the path uses that link, e.g. the
    Aktau–Alat container feeder rather than the rail ferry)."""
    modes = MODES_BY_CORRIDOR.get(corridor, RAIL_MODES) - avoid.modes
    for nid in (origin, destination, *via):
        if nid in net.link_by_id:
            if avoid.blocks_link(net.link_by_id[nid]):
                raise RoutingError(f"link '{nid}' is avoided but the flow {origin} → {destination} needs it")
            continue
        if avoid.blocks_node(net, nid):
            raise RoutingError(f"'{nid}' is avoided but the flow {origin} → {destination} needs it")
    adj = _adjacency(net, modes, avoid)
    targets = (*via, destination)
    layer0 = 1 if origin == targets[0] else 0
    starts = [(layer0, origin, g) for g in native_gauges(net, origin)]
    dist = {s: 0.0 for s in starts}
    prev: dict[tuple, tuple] = {}
    heap: list = [(0.0, i, s) for i, s in enumerate(starts)]
    seq = len(heap)
    goal = None
    end_gauges = native_gauges(net, destination)
    while heap:
        d, _, state = heapq.heappop(heap)
        if d > dist.get(state, float("inf")):
            continue
        layer, u, g = state
        if layer == len(targets) and (g in end_gauges or g == 0):
            goal = state
            break
        for nd, nstate, edge in _moves(net, adj, state, targets):
            if d + nd < dist.get(nstate, float("inf")):
                dist[nstate] = d + nd
                prev[nstate] = (state, edge)
                heapq.heappush(heap, (d + nd, seq, nstate))
                seq += 1
    if goal is None:
        raise RoutingError(f"no {corridor or 'rail'} route from '{origin}' to '{destination}'"
                           + (f" via {', '.join(via)}" if via else "") + " with the given restrictions")
    return _unwind(goal, prev, dist[goal], origin)


def native_gauges(net: Network, node_id: str) -> tuple[int, ...]:
    """Gauges a train may start or end on at a node: those of its single-gauge rail links (0 = free when none),
    so a train to Małaszewicze arrives on standard gauge and one from Dostyk leaves on broad gauge."""
    single = {lk.gauge_mm[0] for lk in net.links if lk.mode == "rail" and len(lk.gauge_mm) == 1 and node_id in (lk.from_node, lk.to_node)}
    return tuple(sorted(single)) if single else (0, 1435, 1520)


def _adjacency(net: Network, modes: frozenset[str], avoid: Avoid) -> dict[str, list[tuple[Link, str]]]:
    adj: dict[str, list[tuple[Link, str]]] = {}
    for lk in net.links:
        if lk.mode not in modes or avoid.blocks_link(lk):
            continue
        if avoid.blocks_node(net, lk.from_node) or avoid.blocks_node(net, lk.to_node):
            continue
        adj.setdefault(lk.from_node, []).append((lk, lk.to_node))
        adj.setdefault(lk.to_node, []).append((lk, lk.from_node))
    return adj


def _moves(net: Network, adj: dict, state: tuple, targets: tuple[str, ...]):
    layer, u, g = state
    for lk, v in adj.get(u, ()):
        nl = layer + 1 if layer < len(targets) and targets[layer] in (v, lk.link_id) else layer
        if lk.mode == "rail":
            for gauge in lk.gauge_mm:
                if g in (0, gauge):
                    yield lk.time_h_median, (nl, v, gauge), ("link", lk, gauge)
        else:
            yield lk.time_h_median, (nl, v, 0), ("link", lk, 0)
    if g in (1435, 1520):
        to = 1435 if g == 1520 else 1520
        cost = gauge_change_cost_h(net, u, to)
        if cost is not None:
            yield cost, (layer, u, to), ("gauge", u)


def _unwind(goal: tuple, prev: dict, hours: float, origin: str) -> CorridorPath:
    legs: list[PathLeg] = []
    changes: list[str] = []
    state = goal
    while state in prev:
        pstate, edge = prev[state]
        if edge[0] == "link":
            lk, gauge = edge[1], edge[2]
            u, v = pstate[1], state[1]
            legs.append(PathLeg(lk.link_id, u, v, gauge))
        else:
            changes.append(edge[1])
        state = pstate
    legs.reverse()
    changes.reverse()
    nodes = (origin, *(leg.to_node for leg in legs))
    return CorridorPath(nodes, tuple(legs), tuple(changes), hours)
