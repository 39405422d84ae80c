"""Corridor labels and the key points of a route, both from the data.

The corridor label of a route is one of the ``corridor`` tags of the links (``links.csv``): no second
vocabulary. :func:`corridor_of_links` is the one labelling function; the planner uses it for its options and
the simulation (``silkway.simulation.choice``) calls it through :meth:`silkway.routing.Router.corridor_of` to
name detours. The ``via`` summary lists the border crossings, gauge changes and water legs of a route in order.
"""

from __future__ import annotations

from collections.abc import Sequence

from silkway.network.model import Link
from silkway.routing.model import Via, ViaKind
from silkway.routing.search import Path
from silkway.routing.stategraph import PLATFORMS, WATER, StateGraph, platform_index

GENERIC_CORRIDORS = frozenset({"china", "kz", "europe"})


def corridor_km(g: StateGraph) -> dict[str, float]:
    """Network length tagged with each corridor, km."""
    km: dict[str, float] = {}
    for lk in g.net.links:
        for tag in lk.corridor:
            km[tag] = km.get(tag, 0.0) + lk.distance_km
    return km


def defining_links(g: StateGraph) -> frozenset[str]:
    """Links that characterise a corridor: border crossings and water legs."""
    by_id = g.net.node_by_id
    return frozenset(lk.link_id for lk in g.net.links
                     if lk.mode in WATER or by_id[lk.from_node].country != by_id[lk.to_node].country)


def corridor_of_arcs(g: StateGraph, arcs: Sequence[int], network_km: dict[str, float], defining: frozenset[str]) -> str:
    """The corridor of a searched path (see :func:`corridor_of_links`)."""
    return corridor_of_links([g.net.links[g.link[a]] for a in arcs if g.link[a] >= 0], network_km, defining)


def corridor_of_links(links: Sequence[Link], network_km: dict[str, float], defining: frozenset[str]) -> str:
    """The route's corridor: the tag carried by most of its border crossings and water legs, ties broken
    by the share of the tag's network length the route covers. Generic tags (``china``, ``kz``) count
    only when nothing else is used."""
    score: dict[str, list[float]] = {}
    for lk in links:
        for tag in lk.corridor:
            entry = score.setdefault(tag, [0.0, 0.0])
            entry[0] += lk.link_id in defining
            entry[1] += lk.distance_km / network_km[tag]
    specific = {t: v for t, v in score.items() if t not in GENERIC_CORRIDORS}
    pool = specific or score
    if not pool:
        return "untagged"
    return max(sorted(pool), key=lambda t: tuple(pool[t]))


def via_points(g: StateGraph, path: Path) -> tuple[Via, ...]:
    """Border crossings on land, gauge changes and water legs of ``path``, in order."""
    net = g.net
    nodes = net.node_by_id
    out = []
    for a in path.arcs:
        u, v = g.node_of(g.tail[a]), g.node_of(g.head[a])
        if g.link[a] < 0:
            p, q = PLATFORMS[platform_index(g.tail[a])], PLATFORMS[platform_index(g.head[a])]
            if p.startswith("rail") and q.startswith("rail"):
                out.append(Via(ViaKind.GAUGE, u, u, f"{p[4:]}→{q[4:]} at {nodes[u].name}"))
            continue
        lk = net.links[g.link[a]]
        cu, cv = nodes[u].country, nodes[v].country
        crossing = f" ({cu}→{cv})" if cu != cv else ""
        if lk.mode in WATER:
            out.append(Via(ViaKind.WATER, u, v, f"{lk.mode} {nodes[u].name}→{nodes[v].name}{crossing}"))
        elif cu != cv:
            out.append(Via(ViaKind.BORDER, u, v, f"{nodes[u].name}→{nodes[v].name}{crossing}"))
    return tuple(out)
