"""Corridor labels and the key points of a route, both from the data.

The corridor label of a route is one of the ``corridor`` tags of the links (``links.csv``): no second
vocabulary. :func:`corridor_of_links` is the one labelling function; the planner uses it for its options and
the simulation (``silkway.simulation.choice``) calls it through :meth:`silkway.routing.Router.corridor_of` to
name detours. The ``via`` summary lists the border crossings, gauge changes and water legs of a route in order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from silkway.network.graph import codes_of
from silkway.network.model import Link
from silkway.network.schema import MODES
from silkway.routing.model import Via, ViaKind
from silkway.routing.search import Path
from silkway.routing.stategraph import PLATFORMS, SPN, WATER, StateGraph, platform_index

GENERIC_CORRIDORS = frozenset({"china", "kz", "europe"})


Tags = tuple[np.ndarray, list[tuple[str, ...]]]  # per link the code of its corridor tags (-1: none), the tags per code


def link_tags(g: StateGraph) -> Tags:
    """The links' ``corridor`` tags as codes (one per distinct list, in order of first appearance) from the columns."""
    codes, lists = codes_of(g.net.links, "corridor", "list")
    return np.asarray(codes, dtype=np.int64), [tuple(str(v).split(";")) for v in lists]


def corridor_km(g: StateGraph, tags: Tags | None = None) -> dict[str, float]:
    """Network length tagged with each corridor, km (summed link by link in the links' order, as a loop over the
    links would: the same floats)."""
    codes, lists = tags if tags is not None else link_tags(g)
    distance = g.compiled.distance_km
    order: dict[str, None] = {}
    for tag_list in lists:  # tags in order of first appearance
        order.update(dict.fromkeys(tag_list))
    km: dict[str, float] = {}
    for tag in order:
        times = np.array([tag_list.count(tag) for tag_list in lists] + [0], dtype=np.int64)[codes]  # code -1: the 0
        km[tag] = float(np.cumsum(np.repeat(distance, times))[-1])  # cumsum adds in order
    return km


def defining_links(g: StateGraph) -> frozenset[str]:
    """Links that characterise a corridor: border crossings and water legs."""
    cn = g.compiled
    return _link_ids(g, _water(g) | cn.border())


def water_crossings(g: StateGraph) -> frozenset[str]:
    """Water legs (ferry, feeder, sea) whose ends lie in different countries: they name a route's corridor."""
    return _link_ids(g, _water(g) & g.compiled.border())


def foreign_penalty(g: StateGraph, corridor: str, tags: Tags, penalty: float) -> np.ndarray:
    """Per arc of ``g``: ``penalty`` on a link that carries specific corridor tags (not only generic ones) none of
    which is ``corridor``, else 1 (transfers too)."""
    codes, lists = tags
    per_list = [penalty if (own := set(t) - GENERIC_CORRIDORS) and corridor not in own else 1.0 for t in lists]
    per_link = np.asarray([*per_list, 1.0], dtype=np.float64)[codes]  # code -1 (no tags): the 1
    return np.where(g.link >= 0, per_link[np.maximum(g.link, 0)], 1.0)


def _water(g: StateGraph) -> np.ndarray:
    return np.isin(g.compiled.mode, [MODES.index(m) for m in WATER])


def _link_ids(g: StateGraph, rows: np.ndarray) -> frozenset[str]:
    ids = g.compiled.link_ids
    return frozenset(ids[i] for i in np.flatnonzero(rows).tolist())


def corridor_of_arcs(g: StateGraph, arcs: Sequence[int], network_km: dict[str, float], defining: frozenset[str],
                     crossings: frozenset[str] = frozenset()) -> str:
    """The corridor of a searched path (see :func:`corridor_of_links`)."""
    return corridor_of_links([g.net.links[g.link[a]] for a in arcs if g.link[a] >= 0], network_km, defining, crossings)


def corridor_of_links(links: Sequence[Link], network_km: dict[str, float], defining: frozenset[str],
                      crossings: frozenset[str] = frozenset()) -> str:
    """The route's corridor, one of the ``corridor`` tags of its links.

    1. A route that crosses water between two countries (``crossings``) is named by a tag of its longest
       such crossing: a deep-sea leg makes it ``sea``, a Caspian ferry ``middle`` (or the ferry's other tag,
       e.g. ``kti``), whatever the rail legs around it carry.
    2. Otherwise a specific corridor (``northern``, ``middle``, ``kti``, ``highway``...) needs evidence: a
       border crossing (a ``defining`` link) tagged with it and with no generic tag (``china``, ``kz``,
       ``europe``). The Alashankou–Dostyk link serves the kz, northern and middle corridors alike, so a China
       → Karaganda train that crosses only there is ``kz``, not ``northern``; it becomes ``northern`` when
       it crosses into Russia.
    3. Without such evidence the route takes a generic tag it carries (else any tag).
    Among the candidates the tag carried by most border crossings wins, then by most route length, then by
    most of its own network length (``network_km``), then alphabetically.
    """
    water = [lk for lk in links if lk.link_id in crossings]
    tags_on_route = {t for lk in links for t in lk.corridor}
    if water:
        pool = set(max(water, key=lambda lk: lk.distance_km).corridor)
    else:
        pool = {t for lk in links if lk.link_id in defining and not GENERIC_CORRIDORS & set(lk.corridor) for t in lk.corridor}
        pool = pool or (tags_on_route & GENERIC_CORRIDORS) or tags_on_route
    if not pool:
        return "untagged"
    score = {t: [0.0, 0.0, 0.0] for t in pool}
    for lk in links:
        for tag in pool.intersection(lk.corridor):
            score[tag][0] += lk.link_id in defining
            score[tag][1] += lk.distance_km
            score[tag][2] += lk.distance_km / network_km[tag]
    return max(sorted(score), key=lambda t: tuple(score[t]))


def via_points(g: StateGraph, path: Path) -> tuple[Via, ...]:
    """Border crossings on land, gauge changes and water legs of ``path``, in order."""
    net = g.net
    nodes = net.node_by_id
    out = []
    for a in _marked(g, path.arcs).tolist():
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


def _marked(g: StateGraph, arcs: Sequence[int]) -> np.ndarray:
    """The arcs of ``arcs`` that can give a via point, in order: transfers, water legs and links between countries."""
    a = np.asarray(arcs, dtype=np.int64)
    link = g.link[a]
    cn = g.compiled
    water = np.isin(cn.mode[np.maximum(link, 0)], [MODES.index(m) for m in WATER if m in MODES])
    across = cn.country[g.tail[a] // SPN] != cn.country[g.head[a] // SPN]
    return np.asarray(a[(link < 0) | water | across])
