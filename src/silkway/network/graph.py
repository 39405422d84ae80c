"""Compile a :class:`Network` once into arrays: THE array form of a network, for routing and simulation.

Every link becomes two directed arcs (``2*i`` forward, ``2*i+1`` backward) in a forward star (CSR). Per link the
columns the planner's state graph (:mod:`silkway.routing.stategraph`) and the simulation's corridor paths
(:mod:`silkway.simulation.paths`) need: end nodes, mode, energy, country, distance, median moving time, P90 factor,
gauges (in the order the dataset lists them), timetable. Names and records stay in the :class:`Network`.

The arrays are built column-wise: from the dataset cache's Arrow columns when the tables came from it
(:class:`~silkway.network.cache.LazyRecords`, so a 1M-node network is compiled without building a Python record per
row), else from the records in one pass per column. :func:`compiled` keeps one per network.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

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
    link_from: np.ndarray  # int32[m] node index of from_node
    link_to: np.ndarray  # int32[m]
    first_gauge: np.ndarray  # int16[m]: the first gauge the dataset lists (0 when none): dual-gauge order
    first_departure_h: np.ndarray  # float64[m], NaN where not given
    energy: np.ndarray  # int16[m] index into ``energies``
    energies: tuple[str, ...]
    link_country: np.ndarray  # int16[m] index into ``link_countries``
    link_countries: tuple[str, ...]
    via_countries: dict[int, tuple[str, ...]]  # link index -> its transit countries (links that have some)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_links(self) -> int:
        return len(self.link_ids)

    @property
    def n_arcs(self) -> int:
        return len(self.arc_head)

    def out_arcs(self, u: int) -> np.ndarray:
        return self.order[self.indptr[u] : self.indptr[u + 1]]

    def node_blocked(self, nodes: Collection[str], countries: Collection[str]) -> np.ndarray:
        """bool[n]: the node is one of ``nodes`` or lies in one of ``countries``."""
        bad = np.isin(self.country, [i for i, c in enumerate(self.countries) if c in countries])
        bad[[self.node_index[nid] for nid in nodes]] = True
        return bad

    def link_mask(self, nodes: Collection[str], countries: Collection[str], modes: Collection[str]) -> np.ndarray:
        """bool[m]: the link is of none of ``modes``, runs in (or through) none of ``countries`` and neither end node is
        blocked (:meth:`node_blocked`)."""
        bad = np.isin(self.link_country, [i for i, c in enumerate(self.link_countries) if c in countries])
        bad |= np.isin(self.mode, [i for i, m in enumerate(MODES) if m in modes])
        for i, via in self.via_countries.items():
            if any(c in countries for c in via):
                bad[i] = True
        node_bad = self.node_blocked(nodes, countries)
        bad |= node_bad[self.link_from] | node_bad[self.link_to]
        return np.asarray(~bad)

    def border(self) -> np.ndarray:
        """bool[m]: the link's end nodes lie in different countries."""
        return np.asarray(self.country[self.link_from] != self.country[self.link_to])


_COMPILED: dict[int, CompiledNetwork] = {}  # id(network) -> its arrays, dropped when the network is collected


def compiled(net: Network) -> CompiledNetwork:
    """The compiled form of ``net``, built once per network object (kept by identity: hashing a network hashes every
    record); a big network from the dataset cache loads it from there after the first build (:func:`stored`)."""
    key = id(net)
    hit = _COMPILED.get(key)
    if hit is None:
        hit = _COMPILED[key] = stored(net)
        weakref.finalize(net, _COMPILED.pop, key, None)
    return hit


_TEXTS = ("countries", "energies", "link_countries")  # small tuples of names, kept in the stored set's values
_FROM_NET = ("node_ids", "node_index", "link_ids", "via_countries", *_TEXTS)


def stored(net: Network) -> CompiledNetwork:
    """:func:`compile_network` of ``net``, its arrays kept in the dataset cache entry the network came from
    (:mod:`silkway.network.arraystore`; the entry's key covers this module's code)."""
    from silkway.network import arraystore

    if not arraystore.applies(net):
        return compile_network(net)
    code = f"v{arraystore.FORMAT}numpy{np.__version__}"  # this module's code is in the cache entry's key already
    hit = arraystore.load(net, "compiled", code)
    if hit is None:
        cn = compile_network(net)
        small = {**{f: list(getattr(cn, f)) for f in _TEXTS}, "via_countries": [[i, list(v)] for i, v in cn.via_countries.items()],
                 "n_nodes": cn.n_nodes, "n_links": cn.n_links}
        arraystore.save(net, "compiled", code,
                        {f: getattr(cn, f) for f in cn.__dataclass_fields__ if f not in _FROM_NET}, small)
        return cn
    arrays: dict[str, Any] = hit[0]
    values = hit[1]
    node_ids, link_ids = _ids(net.nodes, "node_id"), _ids(net.links, "link_id")
    if (len(node_ids), len(link_ids)) != (values["n_nodes"], values["n_links"]):  # not this network's (the entry's key rules it out)
        return compile_network(net)
    index = _node_index(net.nodes, node_ids)
    texts: dict[str, Any] = {f: tuple(values[f]) for f in _TEXTS}
    via = {int(i): tuple(v) for i, v in values["via_countries"]}
    return CompiledNetwork(node_ids=node_ids, node_index=index, link_ids=link_ids, via_countries=via, **texts, **arrays)


def _column(records: Sequence[Any], name: str, kind: str = "") -> np.ndarray:
    """One column of a table: the cache's Arrow column when the records came from it, else read off the records.
    ``kind``: ``float`` (None → NaN), ``list`` (a tuple joined by ';', None when empty), else as is."""
    arrow = getattr(records, "columns", None)
    if arrow is not None:
        col = arrow.column(name)
        if kind == "float":
            return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    values = [getattr(r, name) for r in records]
    if kind == "float":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "list":
        values = [";".join(map(str, v)) if v else None for v in values]
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _ids(records: Sequence[Any], name: str) -> tuple[str, ...]:
    """A text column as a tuple (straight from Arrow when the records came from the cache: no numpy objects, no pandas)."""
    arrow = getattr(records, "columns", None)
    return tuple(arrow.column(name).to_pylist()) if arrow is not None else tuple(_column(records, name).tolist())


BULK_ROWS = 100_000  # from this many values on, pandas' hash tables; below, a dict (no pandas import for small networks)


def _codes(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Integer codes and the distinct values in order of first appearance (None → code -1)."""
    if len(values) >= BULK_ROWS:
        import pandas as pd  # only here: a small network's route must not pay pandas' import (≈ 0.45 s)

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes, list(uniques)
    seen: dict[Any, int] = {}
    out = np.fromiter((-1 if v is None else seen.setdefault(v, len(seen)) for v in values.tolist()), dtype=np.int64,
                      count=len(values))
    return out, list(seen)


def codes_of(records: Sequence[Any], name: str, kind: str = "") -> tuple[np.ndarray, list[Any]]:
    """:func:`_codes` of a column (``kind`` as :func:`_column`): by pyarrow's dictionary encoding (in C, the same codes
    and order of first appearance) when the records came from the dataset cache."""
    arrow = getattr(records, "columns", None)
    if arrow is None:
        return _codes(_column(records, name, kind))
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(arrow.column(name).combine_chunks())
    codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, encoded.dictionary.to_pylist()


def _link_ends(nodes: Sequence[Any], links: Sequence[Any], node_ids: tuple[str, ...],
               index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Node positions of the links' ``from_node`` and ``to_node`` (-1 where absent)."""
    n_arrow, l_arrow = getattr(nodes, "columns", None), getattr(links, "columns", None)
    if n_arrow is None or l_arrow is None:
        return (_positions(node_ids, index, _column(links, "from_node")), _positions(node_ids, index, _column(links, "to_node")))
    import pyarrow.compute as pc

    ids = n_arrow.column("node_id").combine_chunks()
    if len(index) != len(ids):  # a repeated node id (an invalid table): the dict's last-wins positions
        return (_positions(node_ids, index, _column(links, "from_node")), _positions(node_ids, index, _column(links, "to_node")))
    return tuple(np.asarray(pc.fill_null(pc.index_in(l_arrow.column(c), value_set=ids), -1).to_numpy(zero_copy_only=False),
                            dtype=np.int32) for c in ("from_node", "to_node"))  # type: ignore[return-value]


def _positions(node_ids: tuple[str, ...], index: dict[str, int], names: np.ndarray) -> np.ndarray:
    """Position of each name among ``node_ids`` (-1 where absent)."""
    if len(names) >= BULK_ROWS:
        import pandas as pd

        return np.asarray(pd.Index(node_ids).get_indexer(names), dtype=np.int32)
    return np.fromiter((index.get(n, -1) for n in names.tolist()), dtype=np.int32, count=len(names))


def _node_index(nodes: Sequence[Any], node_ids: tuple[str, ...]) -> dict[str, int]:
    keyed = getattr(nodes, "index_of", None)  # the cache's records share their id → row dict with Network.node_by_id
    return keyed("node_id") if keyed is not None else {nid: i for i, nid in enumerate(node_ids)}


def compile_network(net: Network) -> CompiledNetwork:
    nodes, links = net.nodes, net.links
    node_ids = _ids(nodes, "node_id")
    index = _node_index(nodes, node_ids)
    ncodes, nuniq = codes_of(nodes, "country")
    countries = tuple(sorted(nuniq))
    crank = np.array([countries.index(c) for c in nuniq], dtype=np.int32)
    m = len(links)
    frm, to = _link_ends(nodes, links, node_ids, index)
    if m and (frm.min() < 0 or to.min() < 0):
        raise ValueError("a link names a node the network does not have")
    tail = np.empty(2 * m, dtype=np.int32)
    head = np.empty(2 * m, dtype=np.int32)
    tail[0::2], tail[1::2] = frm, to
    head[0::2], head[1::2] = to, frm
    order = np.argsort(tail, kind="stable").astype(np.int64)
    indptr = np.zeros(len(node_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=len(node_ids)), out=indptr[1:])
    distance = _column(links, "distance_km", "float")
    mcodes, muniq = codes_of(links, "mode")
    mode = np.array([MODES.index(x) for x in muniq], dtype=np.int8)[mcodes] if m else np.zeros(0, dtype=np.int8)
    gcodes, guniq = codes_of(links, "gauge_mm", "list")
    parsed = [tuple(int(x) for x in str(g).split(";")) for g in guniq]
    bits = np.array([sum(GAUGE_BIT.get(x, 0) for x in set(gs)) for gs in parsed] + [0], dtype=np.int8)
    first = np.array([gs[0] for gs in parsed] + [0], dtype=np.int16)
    ecodes, euniq = codes_of(links, "energy")
    lcodes, luniq = codes_of(links, "country")
    via_arrow = getattr(links, "columns", None)
    if via_arrow is not None:  # only the rows that have some, converted
        has_via = np.flatnonzero(via_arrow.column("via_countries").is_valid().to_numpy())
        via = np.empty(m, dtype=object)
        via[has_via] = via_arrow.column("via_countries").take(has_via).to_pylist()
    else:
        via = _column(links, "via_countries", "list")
        has_via = np.flatnonzero(np.fromiter((v is not None and v == v for v in via.tolist()), dtype=np.bool_, count=len(via)))  # not None/NaN
    return CompiledNetwork(
        node_ids=node_ids,
        node_index=index,
        lat=_column(nodes, "lat", "float"),
        lon=_column(nodes, "lon", "float"),
        country=crank[ncodes] if len(node_ids) else np.zeros(0, dtype=np.int32),
        countries=countries,
        link_ids=_ids(links, "link_id"),
        indptr=indptr,
        order=order,
        arc_tail=tail,
        arc_head=head,
        arc_link=np.repeat(np.arange(m, dtype=np.int32), 2),
        distance_km=distance,
        time_h_median=distance / _column(links, "speed_km_day", "float") * 24.0,  # Link.time_h_median, element-wise
        time_p90_factor=_column(links, "time_p90_factor", "float"),
        mode=mode,
        gauge_bits=bits[gcodes],
        capacity_trains_day=_column(links, "capacity_trains_day", "float"),
        departures_per_week=_column(links, "departures_per_week", "float"),
        link_from=frm,
        link_to=to,
        first_gauge=first[gcodes],
        first_departure_h=_column(links, "first_departure_h", "float"),
        energy=ecodes.astype(np.int16),
        energies=tuple(euniq),
        link_country=lcodes.astype(np.int16),
        link_countries=tuple(luniq),
        via_countries={int(i): tuple(str(via[i]).split(";")) for i in has_via},
    )
