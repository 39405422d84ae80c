"""Compile a :class:`Network` once into forward-star (CSR) arrays for routing and simulation.

Every link becomes two directed arcs (``2*i`` forward, ``2*i+1`` backward). Kernels see only these
arrays; names and records stay in the :class:`Network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from silkway.network.model import Network
from silkway.network.schema import MODES

GAUGE_BIT = {1435: 1, 1520: 2}


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    node_ids: tuple[str, ...]
    node_index: dict[str, int]
    lat: np.ndarray  # float64[n]
    lon: np.ndarray
    country: np.ndarray  # int32[n] index into ``countries``
    countries: tuple[str, ...]
    link_ids: tuple[str, ...]
    indptr: np.ndarray  # int64[n+1]: arcs of node u are order[indptr[u]:indptr[u+1]]
    order: np.ndarray  # int64[2m]: arc ids sorted by tail
    arc_tail: np.ndarray  # int32[2m]
    arc_head: np.ndarray  # int32[2m]
    arc_link: np.ndarray  # int32[2m]
    distance_km: np.ndarray  # float64[m] per link
    time_h_median: np.ndarray  # float64[m]
    time_p90_factor: np.ndarray  # float64[m]
    mode: np.ndarray  # int8[m] index into schema.MODES
    gauge_bits: np.ndarray  # int8[m]: 1 = 1435, 2 = 1520, 3 = both, 0 = not rail
    capacity_trains_day: np.ndarray  # float64[m], NaN where not given
    departures_per_week: np.ndarray  # float64[m], NaN where continuous

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_arcs(self) -> int:
        return len(self.arc_head)

    def out_arcs(self, u: int) -> np.ndarray:
        return self.order[self.indptr[u] : self.indptr[u + 1]]


def compile_network(net: Network) -> CompiledNetwork:
    node_ids = tuple(n.node_id for n in net.nodes)
    index = {nid: i for i, nid in enumerate(node_ids)}
    countries = tuple(sorted({n.country for n in net.nodes}))
    cidx = {c: i for i, c in enumerate(countries)}
    m = len(net.links)
    tail = np.empty(2 * m, dtype=np.int32)
    head = np.empty(2 * m, dtype=np.int32)
    for i, lk in enumerate(net.links):
        a, b = index[lk.from_node], index[lk.to_node]
        tail[2 * i], head[2 * i] = a, b
        tail[2 * i + 1], head[2 * i + 1] = b, a
    order = np.argsort(tail, kind="stable").astype(np.int64)
    indptr = np.zeros(len(node_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=len(node_ids)), out=indptr[1:])

    def col(attr: str) -> np.ndarray:
        return np.array([np.nan if getattr(lk, attr) is None else getattr(lk, attr) for lk in net.links], dtype=np.float64)

    return CompiledNetwork(
        node_ids=node_ids,
        node_index=index,
        lat=np.array([n.lat for n in net.nodes], dtype=np.float64),
        lon=np.array([n.lon for n in net.nodes], dtype=np.float64),
        country=np.array([cidx[n.country] for n in net.nodes], dtype=np.int32),
        countries=countries,
        link_ids=tuple(lk.link_id for lk in net.links),
        indptr=indptr,
        order=order,
        arc_tail=tail,
        arc_head=head,
        arc_link=np.repeat(np.arange(m, dtype=np.int32), 2),
        distance_km=col("distance_km"),
        time_h_median=np.array([lk.time_h_median for lk in net.links], dtype=np.float64),
        time_p90_factor=col("time_p90_factor"),
        mode=np.array([MODES.index(lk.mode) for lk in net.links], dtype=np.int8),
        gauge_bits=np.array([sum(GAUGE_BIT[g] for g in lk.gauge_mm) for lk in net.links], dtype=np.int8),
        capacity_trains_day=col("capacity_trains_day"),
        departures_per_week=col("departures_per_week"),
    )
