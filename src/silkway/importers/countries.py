"""Which country each imported node lies in (pure).

A node's own country (a GeoJSON Point's ``country``) wins. Otherwise every part of the track between border crossings
takes one country: the most common among its nodes inside the ``admin_level=2`` boundaries of the extract (a part
never straddles a border unless a border point is missing), else the one the user gives (``--country``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from silkway.network.validate import components


class Area(Protocol):
    country: str
    outer: list[list[tuple[float, float]]]
    inner: list[list[tuple[float, float]]]


def point_countries(lonlat: np.ndarray, boundaries: Sequence[Area]) -> list[str | None]:
    """The country of each (lon, lat) row, None outside every boundary (matplotlib's point-in-polygon)."""
    from matplotlib.path import Path as MplPath

    out: list[str | None] = [None] * len(lonlat)
    if not len(lonlat):
        return out
    for b in boundaries:
        inside = np.zeros(len(lonlat), dtype=bool)
        for ring in b.outer:
            if len(ring) >= 3:
                inside |= MplPath(np.asarray(ring)).contains_points(lonlat)
        for ring in b.inner:
            if len(ring) >= 3:
                inside &= ~MplPath(np.asarray(ring)).contains_points(lonlat)
        for i in np.flatnonzero(inside):
            out[i] = out[i] or b.country
    return out


def assign(nodes: dict[int, tuple[float, float, str | None]], edges: Iterable[tuple[int, int]], boundaries: Sequence[Area],
           default: str | None) -> tuple[dict[int, str], list[int]]:
    """Country per node key (``nodes``: key → (lon, lat, given country)) over ``edges`` that never cross a border.
    Returns the countries and the keys no rule could place."""
    keys = list(nodes)
    found = point_countries(np.array([nodes[k][:2] for k in keys], dtype=np.float64).reshape(-1, 2), boundaries) if boundaries else [None] * len(keys)
    by_key = dict(zip(keys, found, strict=True))
    out: dict[int, str] = {}
    unplaced: list[int] = []
    for comp in components(keys, edges):
        votes = Counter(nodes[k][2] or by_key[k] for k in comp if nodes[k][2] or by_key[k])
        common = votes.most_common(1)[0][0] if votes else default
        for k in comp:
            country = nodes[k][2] or common
            if country is None:
                unplaced.append(k)
            else:
                out[k] = country
    return out, unplaced
