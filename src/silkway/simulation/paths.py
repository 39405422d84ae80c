"""Gauge-aware fastest paths through a demand row's via-sequence (the row's corridor route in the simulation).

Via items may be link ids (e.g. the Aktau–Alat feeder rather than the rail ferry), which the planner does not take;
adaptive route choice adds the planner's own alternatives (:mod:`silkway.simulation.choice`).

State = (via layer, node, gauge). Gauge 0 means "free": at the origin or after a non-rail leg
(containers lifted at a port), a train may start on either gauge. A rail link is usable on a gauge it
carries; the gauge changes only at a node with a gauge-changing facility, at a cost of the facility's
median handling time plus its minimum headway (24 / trains per day), so faster and larger yards win.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from silkway.errors import RoutingError
from silkway.network.graph import CompiledNetwork, compiled
from silkway.network.model import Facility, Link, Network
from silkway.network.schema import MODES
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
    Aktau–Alat container feeder rather than the rail ferry). Searched compiled (:func:`silkway.routing.kernels.corridor`)
    over the network's compiled arrays (:func:`silkway.network.graph.compiled`)."""
    modes = MODES_BY_CORRIDOR.get(corridor, RAIL_MODES) - avoid.modes
    for nid in (origin, destination, *via):
        if nid in net.link_by_id:
            if avoid.blocks_link(net.link_by_id[nid]):
                raise RoutingError(f"link '{nid}' is avoided but the flow {origin} → {destination} needs it")
            continue
        if avoid.blocks_node(net, nid):
            raise RoutingError(f"'{nid}' is avoided but the flow {origin} → {destination} needs it")
    from silkway.routing import kernels

    cn = compiled(net)
    targets = (*via, destination)
    layer0 = 1 if origin == targets[0] else 0
    link_pos = {lid: i for i, lid in enumerate(cn.link_ids)} if any(t not in cn.node_index for t in targets) else {}
    t_node = np.array([cn.node_index.get(t, -1) for t in targets], dtype=np.int64)
    t_link = np.array([link_pos.get(t, -1) if t not in cn.node_index else -1 for t in targets], dtype=np.int64)
    rail = cn.mode == MODES.index("rail")
    slot = {0: 0, 1435: 1, 1520: 2}
    g0 = np.where(cn.first_gauge == 1520, 2, np.where(cn.first_gauge == 1435, 1, 0)).astype(np.int64)
    g1 = np.where(cn.gauge_bits == 3, 3 - g0, 0).astype(np.int64)
    end_ok = np.zeros(3, dtype=np.bool_)
    end_ok[[slot[g] for g in native_gauges(net, destination)]] = True
    start = np.array([slot[g] for g in native_gauges(net, origin)], dtype=np.int64)
    goal, hours, prev, arc = kernels.corridor(
        cn.indptr, cn.order, cn.arc_head, cn.arc_link, link_mask(cn, modes, avoid), cn.time_h_median, rail, g0, g1,
        _change_hours(net, cn), t_node, t_link, start, end_ok, cn.node_index[origin], layer0, cn.n_nodes)
    if goal < 0:
        raise RoutingError(f"no {corridor or 'rail'} route from '{origin}' to '{destination}'"
                           + (f" via {', '.join(via)}" if via else "") + " with the given restrictions")
    return _unwind(cn, int(goal), prev, arc, float(hours), origin)


def link_mask(cn: CompiledNetwork, modes: frozenset[str], avoid: Avoid) -> np.ndarray:
    """bool per link: of an allowed mode, and neither it (its countries) nor its end nodes avoided."""
    return cn.link_mask(avoid.nodes, avoid.countries, frozenset(MODES) - modes | avoid.modes)


def _change_hours(net: Network, cn: CompiledNetwork) -> np.ndarray:
    """Hours of a gauge change per node onto gauge slot 1 (1435) and 2 (1520); inf where no yard does it."""
    out = np.full((cn.n_nodes, 3), np.inf)
    for node_id in net.facilities_at:
        for k, gauge in ((1, 1435), (2, 1520)):
            h = gauge_change_cost_h(net, node_id, gauge)
            if h is not None:
                out[cn.node_index[node_id], k] = h
    return out


def native_gauges(net: Network, node_id: str) -> tuple[int, ...]:
    """Gauges a train may start or end on at a node: those of its single-gauge rail links (0 = free when none),
    so a train to Małaszewicze arrives on standard gauge and one from Dostyk leaves on broad gauge."""
    cn = compiled(net)
    u = cn.node_index[node_id]
    single = (cn.mode == MODES.index("rail")) & ((cn.gauge_bits == 1) | (cn.gauge_bits == 2)) & ((cn.link_from == u) | (cn.link_to == u))
    gauges = {int(g) for g in cn.first_gauge[single]}
    return tuple(sorted(gauges)) if gauges else (0, 1435, 1520)


def _unwind(cn: CompiledNetwork, goal: int, prev: np.ndarray, arc: np.ndarray, hours: float, origin: str) -> CorridorPath:
    legs: list[PathLeg] = []
    changes: list[str] = []
    state = goal
    gauge_mm = (0, 1435, 1520)
    while prev[state] >= 0:
        pstate = int(prev[state])
        a = int(arc[state])
        u, v = cn.node_ids[(pstate // 3) % cn.n_nodes], cn.node_ids[(state // 3) % cn.n_nodes]
        if a >= 0:
            legs.append(PathLeg(cn.link_ids[cn.arc_link[a]], u, v, gauge_mm[state % 3]))
        else:
            changes.append(u)
        state = pstate
    legs.reverse()
    changes.reverse()
    nodes = (origin, *(leg.to_node for leg in legs))
    return CorridorPath(nodes, tuple(legs), tuple(changes), hours)
