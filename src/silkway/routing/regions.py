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

import numpy as np

from silkway.network.schema import MODES
from silkway.routing.stategraph import SPN, WATER, StateGraph


@dataclass(frozen=True, eq=False)
class Regions:
    """Per arc of a :class:`StateGraph`, as two 64-bit words each (bits 0–62 in ``*0``, 63–125 in ``*1``): ``enter``
    the region bits the arc enters (a route that has left one of them may not take it), ``leave`` the bits it leaves.
    ``names[b]`` names bit ``b``: a country code or ``water:<first link id>`` for a water body."""

    enter0: np.ndarray
    enter1: np.ndarray
    leave0: np.ndarray
    leave1: np.ndarray
    names: tuple[str, ...]


def water_bodies(g: StateGraph) -> dict[int, int]:
    """Port node index → index of its water body (connected components of the water links, numbered in the order of
    their smallest node id)."""
    cn = g.compiled
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    water = np.isin(cn.mode, [MODES.index(m) for m in WATER])
    for i in np.flatnonzero(water).tolist():
        parent[find(int(cn.link_from[i]))] = find(int(cn.link_to[i]))
    roots = sorted({find(x) for x in parent}, key=lambda r: cn.node_ids[r])
    rank = {r: k for k, r in enumerate(roots)}
    return {x: rank[find(x)] for x in parent}


def build_regions(g: StateGraph) -> Regions:
    cn = g.compiled
    countries = cn.countries
    body = water_bodies(g)
    n_bodies = len(set(body.values()))
    water = np.isin(cn.mode, [MODES.index(m) for m in WATER])
    first_link: dict[int, str] = {}
    link_body = np.full(cn.n_links, -1, dtype=np.int64)
    for i in np.flatnonzero(water).tolist():
        link_body[i] = body[int(cn.link_from[i])]
        first_link.setdefault(int(link_body[i]), cn.link_ids[i])
    n_arcs = len(g.head)
    words = [np.zeros(n_arcs, dtype=np.int64) for _ in range(4)]  # enter0, enter1, leave0, leave1
    on_link = np.flatnonzero(g.link >= 0)
    cu = cn.country[g.tail[on_link] // SPN].astype(np.int64)
    cv = cn.country[g.head[on_link] // SPN].astype(np.int64)
    cross = cu != cv
    li = g.link[on_link]
    wbit = np.where(water[li] & cross, len(countries) + link_body[li], -1)

    def put(word: int, arcs: np.ndarray, bits: np.ndarray) -> None:
        low, high = bits < 63, bits >= 63
        words[word][arcs[low]] |= np.left_shift(1, bits[low])
        words[word + 1][arcs[high]] |= np.left_shift(1, bits[high] - 63)

    arcs, w = on_link[cross], wbit[cross]
    put(0, arcs, cv[cross])
    put(2, arcs, cu[cross])
    has_w = w >= 0
    put(0, arcs[has_w], w[has_w])
    put(2, arcs[has_w], w[has_w])
    names = (*countries, *(f"water:{first_link[i]}" for i in range(n_bodies)))
    return Regions(words[0], words[1], words[2], words[3], names)
