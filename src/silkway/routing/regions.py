"""Sensible corridors: a route never re-enters a region it has left.

A *region* is a country (of the nodes) or a *water body*: a connected group of water links (ferry, feeder,
sea) and the ports they join, found from the data (the Caspian ferries and feeders form one, the Black Sea
feeders another, the deep-sea service and its feeder a third; the data names no seas, so neither does this
module). A route leaves a country when it crosses a border (a link whose end nodes lie in different countries)
and it *crosses* a water body when one of its water links joins two countries. The rule: after leaving a
country it does not enter it again, and it crosses each water body at most once. It implies that no border is
crossed twice; a feeder along one coast (Lianyungang → Shanghai) is no crossing.

The searches carry the set of regions left as a bitmask: an arc may be taken when ``mask & enter[arc] == 0``
and then ``mask |= leave[arc]``. Transit countries of a link (``via_countries``: Suez, Serbia) have no
formalities and do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkway.routing.stategraph import WATER, StateGraph


@dataclass(frozen=True, eq=False)
class Regions:
    """Per arc of a :class:`StateGraph`: ``enter[a]`` the region bits the arc enters (a route that has left one
    of them may not take it), ``leave[a]`` the bits it leaves. ``names[b]`` names bit ``b``: a country code
    or ``water:<first link id>`` for a water body."""

    enter: list[int]
    leave: list[int]
    names: tuple[str, ...]


def water_bodies(g: StateGraph) -> dict[str, int]:
    """Port node id → index of its water body (connected components of the water links)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for lk in g.net.links:
        if lk.mode in WATER:
            parent[find(lk.from_node)] = find(lk.to_node)
    roots = sorted({find(x) for x in parent})
    return {x: roots.index(find(x)) for x in parent}


def build_regions(g: StateGraph) -> Regions:
    net = g.net
    countries = sorted({n.country for n in net.nodes})
    body = water_bodies(g)
    n_bodies = len(set(body.values()))
    first_link: dict[int, str] = {}
    for lk in net.links:
        if lk.mode in WATER:
            first_link.setdefault(body[lk.from_node], lk.link_id)
    bit = {c: 1 << i for i, c in enumerate(countries)}
    enter, leave = [], []
    for a, li in enumerate(g.link):
        if li < 0:
            enter.append(0)
            leave.append(0)
            continue
        lk = net.links[li]
        cu, cv = (net.node_by_id[g.node_of(s)].country for s in (g.tail[a], g.head[a]))
        e = bit[cv] if cu != cv else 0
        lv = bit[cu] if cu != cv else 0
        if lk.mode in WATER and cu != cv:
            w = 1 << (len(countries) + body[lk.from_node])
            e, lv = e | w, lv | w
        enter.append(e)
        leave.append(lv)
    names = (*countries, *(f"water:{first_link[i]}" for i in range(n_bodies)))
    return Regions(enter, leave, names)
