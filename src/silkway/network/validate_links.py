"""Validation rules of links: their ends, mode, length and drawn line; borders, ports and gauge breaks.

Each rule screens every link at once (:mod:`silkway.network.columns`), then runs its row code on the links that may
break it: the row code alone writes the located problems, as :mod:`silkway.network.validate` describes.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from silkway.errors import Problem
from silkway.network.columns import View, gc_km, last_index, margin, rows_of
from silkway.network.components import components
from silkway.network.geo import great_circle_km, polyline_km
from silkway.network.schema import CORRIDORS
from silkway.network.validate_traffic import _p
from silkway.vocabulary import LAND_MODES, WATER_MODES

ENERGY_BY_MODE = {
    "rail": ("electric", "diesel"),
    "road": ("diesel", "electric"),
    "ferry": ("hfo", "vlsfo", "mdo"),
    "feeder": ("hfo", "vlsfo", "mdo"),
    "sea": ("hfo", "vlsfo", "mdo"),
}
MAX_SPEED_KM_DAY = {"rail": 2400.0, "road": 1800.0, "ferry": 1200.0, "feeder": 1200.0, "sea": 1200.0}
MIN_DETOUR = 0.9  # a link is never much shorter than the great circle between its ends
MAX_DETOUR = {"rail": 3.0, "road": 3.0, "ferry": 3.0, "feeder": 3.0, "sea": 5.0}  # sea: China-Poti round the Cape is 4.3x
GEOMETRY_END_KM = 50.0  # a link's drawn line starts and ends this close to its nodes (a port's berths, a station's yard)


def _np(arr: Any, fill: Any = None) -> Any:
    """An Arrow array as numpy (nulls as ``fill``)."""
    if fill is not None:
        arr = pc.fill_null(arr, fill)
    return arr.to_numpy(zero_copy_only=False)


def _by_mode(mode: pa.Array, table: Mapping[str, float]) -> Any:
    """Each link's value of a per-mode table (NaN for a mode it does not name: the row code decides)."""
    idx = _np(pc.index_in(mode, value_set=pa.array(list(table))), -1)
    return np.where(idx >= 0, np.array([*table.values(), np.nan])[idx], np.nan)


class Ends:
    """Each link's end nodes as rows of nodes.csv (the last row of an id, -1 when absent) and their coordinates."""

    def __init__(self, v: View):
        links, nodes = v.cols("links"), v.cols("nodes")
        ids = v.lookup("nodes").ids()
        self.frm, self.to = links.column("from_node").combine_chunks(), links.column("to_node").combine_chunks()
        self.fi, self.ti = last_index(self.frm, ids), last_index(self.to, ids)
        self.both = (self.fi >= 0) & (self.ti >= 0)
        lat, lon = _np(nodes.column("lat"), np.nan), _np(nodes.column("lon"), np.nan)
        fi, ti = np.where(self.fi >= 0, self.fi, 0), np.where(self.ti >= 0, self.ti, 0)
        if len(lat) == 0:
            lat = lon = np.zeros(1)
        self.lat_a, self.lon_a, self.lat_b, self.lon_b = lat[fi], lon[fi], lat[ti], lon[ti]
        self.same = _np(pc.equal(self.frm, self.to), False)

    def gc(self) -> Any:
        return gc_km(self.lat_a, self.lon_a, self.lat_b, self.lon_b)


def ends_of(v: View) -> Ends:
    return v.memo("ends", lambda: Ends(v))  # type: ignore[no-any-return]


def links(v: View, problems: list[Problem], unparsed: Any) -> None:
    cols, ends = v.cols("links"), ends_of(v)
    mode, energy = cols.column("mode").combine_chunks(), cols.column("energy").combine_chunks()
    rail, water = _np(pc.equal(mode, "rail"), False), _np(pc.is_in(mode, value_set=pa.array(list(WATER_MODES))), False)
    gauge = _np(pc.is_valid(cols.column("gauge_mm")))
    tracks = _np(cols.column("tracks"), np.nan)
    bad = ~ends.both | ends.same
    bad |= rail & (~gauge | ~np.isfinite(tracks) | (tracks != np.floor(np.nan_to_num(tracks))))
    bad |= rail & _np(pc.equal(energy, "electric"), False) & _np(pc.equal(cols.column("electrified"), False), False)
    bad |= ~rail & gauge
    for f in ("departures_per_week", "capacity_teu_per_departure"):
        bad |= water & _np(pc.is_null(cols.column(f)))
    bad |= _np(pc.is_valid(cols.column("first_departure_h"))) & _np(pc.is_null(cols.column("departures_per_week")))
    pair = pc.binary_join_element_wise(mode, energy, "/")
    bad |= ~_np(pc.is_in(pair, value_set=pa.array([f"{m}/{e}" for m, es in ENERGY_BY_MODE.items() for e in es])), False)
    speed = _np(cols.column("speed_km_day"), np.nan)
    bad |= ~(speed <= _by_mode(mode, MAX_SPEED_KM_DAY) + margin(speed))
    for column, ok in (("corridor", pc.is_in), ("via_countries", None)):
        parent, items = v.split("links", column)
        fine = ok(items, value_set=pa.array(list(CORRIDORS))) if ok else pc.match_substring_regex(items, "^[A-Z]{2}$")
        bad[parent[~_np(fine, False)]] = True
    gc, dist = ends.gc(), _np(cols.column("distance_km"), np.nan)
    short = ~(dist >= MIN_DETOUR * gc - 1.0 + margin(gc))
    long = (gc > 50 - margin(gc)) & ~(dist <= _by_mode(mode, MAX_DETOUR) * gc - margin(gc))
    bad |= ends.both & ~ends.same & (short | long)
    recs = v.records("links", rows_of(bad))
    nodes = v.lookup("nodes")
    nodes.fetch(n for lk in recs for n in (lk.from_node, lk.to_node))
    for lk in recs:
        node_ref(nodes, problems, unparsed, "links", lk, "from_node")
        node_ref(nodes, problems, unparsed, "links", lk, "to_node")
        if lk.from_node == lk.to_node:
            _p(problems, "links", lk, "to_node", "a link cannot start and end at the same node")
        _link_mode(lk, problems)
        if lk.speed_km_day > MAX_SPEED_KM_DAY[lk.mode]:
            _p(problems, "links", lk, "speed_km_day", f"{lk.speed_km_day:g} km/day is implausible for {lk.mode} (max {MAX_SPEED_KM_DAY[lk.mode]:g})")
        for c in lk.corridor:
            if c not in CORRIDORS:
                _p(problems, "links", lk, "corridor", f"unknown corridor '{c[:40]}' (expected: {', '.join(CORRIDORS)})")
        for c in lk.via_countries:
            if len(c) != 2 or not c.isupper() or not c.isascii() or not c.isalpha():
                _p(problems, "links", lk, "via_countries", f"'{c[:40]}' is not an ISO 3166-1 alpha-2 code")
        _link_length(nodes, lk, problems)


def node_ref(nodes: Mapping[str, Any], problems: list[Problem], unparsed: Any, table: str, rec: Any, column: str) -> None:
    node_id = getattr(rec, column)
    if node_id not in nodes and not unparsed.may_exist("nodes", (node_id,)):
        close = difflib.get_close_matches(node_id, list(nodes), n=1, cutoff=0.75)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        _p(problems, table, rec, column, f"node '{node_id}' is not in nodes.csv{hint}")


def _link_mode(lk: Any, problems: list[Problem]) -> None:
    """Attributes that depend on the mode: gauge and tracks for rail, schedule for water, energy."""
    if lk.mode == "rail":
        if not lk.gauge_mm:
            _p(problems, "links", lk, "gauge_mm", "a rail link needs its gauge (1435, 1520 or 1435;1520)")
        if lk.tracks is None:
            _p(problems, "links", lk, "tracks", "a rail link needs its number of tracks (1 or 2)")
        elif not float(lk.tracks).is_integer():
            _p(problems, "links", lk, "tracks", f"{lk.tracks:g} is not a whole number of tracks")
        if lk.energy == "electric" and lk.electrified is False:
            _p(problems, "links", lk, "energy", "energy 'electric' on a link that is not electrified (electrified = no)")
    elif lk.gauge_mm:
        _p(problems, "links", lk, "gauge_mm", f"only rail links have a gauge, this one is {lk.mode}")
    if lk.mode in WATER_MODES:
        for f in ("departures_per_week", "capacity_teu_per_departure"):
            if getattr(lk, f) is None:
                _p(problems, "links", lk, f, f"a {lk.mode} link needs '{f}'")
    if lk.first_departure_h is not None and lk.departures_per_week is None:
        _p(problems, "links", lk, "first_departure_h", "first_departure_h is given but departures_per_week is not")
    if lk.energy not in ENERGY_BY_MODE[lk.mode]:
        _p(problems, "links", lk, "energy", f"energy '{lk.energy}' does not fit mode {lk.mode} (expected {', '.join(ENERGY_BY_MODE[lk.mode])})")


def _link_length(nodes: Mapping[str, Any], lk: Any, problems: list[Problem]) -> None:
    a, b = nodes.get(lk.from_node), nodes.get(lk.to_node)
    if a is None or b is None or a is b:
        return
    gc = great_circle_km(a.lat, a.lon, b.lat, b.lon)
    if lk.distance_km < MIN_DETOUR * gc - 1.0:
        _p(problems, "links", lk, "distance_km", f"{lk.distance_km:g} km is shorter than the straight line between its ends ({gc:.0f} km): check the distance or the coordinates")
    elif gc > 50 and lk.distance_km > MAX_DETOUR[lk.mode] * gc:
        _p(problems, "links", lk, "distance_km", f"{lk.distance_km:g} km is more than {MAX_DETOUR[lk.mode]:g}x the straight line ({gc:.0f} km): check the distance or the coordinates")


def geometry(v: View, problems: list[Problem], _unparsed: Any) -> None:
    """A link's polyline: at least 2 points, each a valid lon/lat, starting near its from_node and ending near its
    to_node, and not shorter than MIN_DETOUR x the great circle between the nodes."""
    geo = v.col("links", "geometry")
    drawn = np.flatnonzero(_np(pc.is_valid(geo)))
    if not len(drawn):
        return
    ends, lists = ends_of(v), geo.take(pa.array(drawn))
    flat = _np(pc.list_flatten(lists), np.nan)
    npts = _np(pc.list_value_length(lists)) // 2
    lon, lat = flat[0::2], flat[1::2]
    owner = np.repeat(np.arange(len(drawn)), npts)
    bad = npts < 2
    bad[owner[~((lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90))]] = True
    last = np.cumsum(npts) - 1
    first = last - npts + 1
    fa, la = np.maximum(first, 0), np.maximum(last, 0)
    ia = drawn
    off_a = gc_km(lat[fa], lon[fa], ends.lat_a[ia], ends.lon_a[ia])
    off_b = gc_km(lat[la], lon[la], ends.lat_b[ia], ends.lon_b[ia])
    same = owner[:-1] == owner[1:]
    seg = gc_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    length = np.bincount(owner[:-1][same], weights=seg[same], minlength=len(drawn))
    gc = ends.gc()[ia]
    far = (off_a > GEOMETRY_END_KM - margin(off_a)) | (off_b > GEOMETRY_END_KM - margin(off_b))
    bad |= ends.both[ia] & (far | ~(length >= MIN_DETOUR * gc - 1.0 + margin(gc) + margin(length)))
    chosen = set(rows_of(bad))
    recs = v.records("links", [int(r) for i, r in enumerate(drawn) if i in chosen])
    nodes = v.lookup("nodes")
    nodes.fetch(n for lk in recs for n in (lk.from_node, lk.to_node))
    for lk in recs:
        _line_of(nodes, lk, problems)


def _line_of(nodes: Mapping[str, Any], lk: Any, problems: list[Problem]) -> None:
    pts = lk.geometry
    bad = next(((i, p) for i, p in enumerate(pts, start=1) if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)), None)
    if bad:
        _p(problems, "links", lk, "geometry", f"point {bad[0]} ({bad[1][0]:g} {bad[1][1]:g}) is not 'lon lat' within lon -180..180, lat -90..90")
        return
    if len(pts) < 2:
        _p(problems, "links", lk, "geometry", f"a geometry needs at least 2 points (from_node to to_node), this one has {len(pts)}")
        return
    a, b = nodes.get(lk.from_node), nodes.get(lk.to_node)
    if a is None or b is None:
        return  # a dangling node is reported by links
    for end, (lon, lat), node in (("first", pts[0], a), ("last", pts[-1], b)):
        off = great_circle_km(lat, lon, node.lat, node.lon)
        if off > GEOMETRY_END_KM:
            _p(problems, "links", lk, "geometry", f"the {end} point ({lon:g} {lat:g}) is {off:.0f} km from {'from' if end == 'first' else 'to'}_node "
               f"'{node.node_id}' (at most {GEOMETRY_END_KM:g} km): the line must run from from_node to to_node")
    length, gc = polyline_km(pts), great_circle_km(a.lat, a.lon, b.lat, b.lon)
    if length < MIN_DETOUR * gc - 1.0:
        _p(problems, "links", lk, "geometry", f"the line is {length:.0f} km long, shorter than {MIN_DETOUR:g} x the great circle between "
           f"its nodes ({gc:.0f} km): points are missing or out of order")


def _kind_at(v: View, kind: str, node_ids: pa.Array) -> Any:
    """Whether each node has a facility of this kind."""
    fac = v.cols("facilities")
    at = fac.column("node_id").filter(pc.equal(fac.column("facility_kind"), kind))
    return _np(pc.is_in(node_ids, value_set=at.combine_chunks()), False)


def borders_and_ports(v: View, problems: list[Problem], unparsed: Any) -> None:
    cols, ends = v.cols("links"), ends_of(v)
    mode = cols.column("mode").combine_chunks()
    land = _np(pc.is_in(mode, value_set=pa.array(list(LAND_MODES))), False)
    water = _np(pc.is_in(mode, value_set=pa.array(list(WATER_MODES))), False)
    country = v.col("nodes", "country")
    ca = pc.take(country, pa.array(np.where(ends.both, ends.fi, 0))) if len(country) else pa.nulls(len(mode), pa.string())
    cb = pc.take(country, pa.array(np.where(ends.both, ends.ti, 0))) if len(country) else ca
    differ = _np(pc.not_equal(ca, cb), True)
    border = _kind_at(v, "border", ends.frm) & _kind_at(v, "border", ends.to)
    port = _kind_at(v, "seaport", ends.frm) & _kind_at(v, "seaport", ends.to)
    recs = v.records("links", rows_of(ends.both & ((land & differ & ~border) | (water & ~port))))
    nodes = v.lookup("nodes")
    nodes.fetch(n for lk in recs for n in (lk.from_node, lk.to_node))
    for lk in recs:
        a, b = nodes.get(lk.from_node), nodes.get(lk.to_node)
        if a is None or b is None:
            continue
        for end in (a, b):
            if unparsed.any_with("facilities", "node_id", end.node_id):
                continue
            kinds = {f.facility_kind for f in v.net.facilities_at.get(end.node_id, ())}
            if lk.mode in LAND_MODES and a.country != b.country and "border" not in kinds:
                _p(problems, "links", lk, "from_node" if end is a else "to_node", f"crosses {a.country}-{b.country} but '{end.node_id}' has no border facility in facilities.csv")
            if lk.mode in WATER_MODES and "seaport" not in kinds:
                _p(problems, "links", lk, "from_node" if end is a else "to_node", f"a {lk.mode} link ends at '{end.node_id}', which has no seaport facility in facilities.csv")


def _gauge_meetings(v: View) -> tuple[list[list[str]], dict[str, set[int]]]:
    """Where both gauges can meet: groups of nodes joined by dual-gauge (1435;1520) rail links and single nodes with
    single-gauge links of two gauges (a big network has few of either), each group in nodes.csv order, largest first,
    then in nodes.csv order; and the gauges of the single-gauge links at each of their nodes."""
    cols, ends = v.cols("links"), ends_of(v)
    gauge = cols.column("gauge_mm").combine_chunks()
    rail = _np(pc.equal(cols.column("mode"), "rail"), False) & _np(pc.is_valid(gauge))
    several = _np(pc.match_substring(gauge, ";"), False)
    dual, single = np.flatnonzero(rail & several), np.flatnonzero(rail & ~several)
    node_of = np.concatenate([ends.fi[single], ends.ti[single]])  # each end of a single-gauge link: its row in nodes.csv
    name_of = pa.concat_arrays([ends.frm.take(pa.array(single)), ends.to.take(pa.array(single))])
    kinds = pc.unique(gauge.take(pa.array(single))) if len(single) else pa.array([], pa.string())
    code = _np(pc.index_in(name_of, value_set=pc.unique(name_of)), -1) if (node_of < 0).any() else node_of
    code = code * max(len(kinds), 1) + _np(pc.index_in(pa.concat_arrays([gauge.take(pa.array(single))] * 2), value_set=kinds), 0)
    _, first = np.unique(code, return_index=True)  # one end per (node, gauge)
    owners, n_gauges = np.unique(code[first] // max(len(kinds), 1), return_counts=True)
    multi = set(name_of.take(pa.array(first[np.isin(code[first] // max(len(kinds), 1), owners[n_gauges > 1])])).to_pylist())
    edges = list(zip(ends.frm.take(pa.array(dual)).to_pylist(), ends.to.take(pa.array(dual)).to_pylist(), strict=True))
    meet = {n for e in edges for n in e} | multi
    singles_at: dict[str, set[int]] = {}
    here = _np(pc.is_in(name_of, value_set=pa.array(list(meet), type=pa.string())), False)
    gauges = pa.concat_arrays([gauge.take(pa.array(single))] * 2)
    for n, g in zip(name_of.filter(pa.array(here)).to_pylist(), gauges.filter(pa.array(here)).to_pylist(), strict=True):
        singles_at.setdefault(n, set()).add(int(g))
    ids = v.lookup("nodes").ids()
    order = dict(zip(meet, last_index(pa.array(list(meet), type=pa.string()), ids).tolist(), strict=True))
    unknown = len(v.lookup("nodes"))

    def rank(n: str) -> tuple[int, str]:
        return (order[n] if order[n] >= 0 else unknown), n

    groups = components(sorted(meet, key=rank), edges)
    return [sorted(g, key=rank) for g in groups], singles_at


def gauge_breaks(v: View, problems: list[Problem], unparsed: Any) -> None:
    """Where single-gauge rail links of both gauges meet (at a node, or across dual-gauge links),
    a facility that changes gauge must exist at one of the nodes where they meet."""
    groups, singles_at = _gauge_meetings(v)
    nodes = v.lookup("nodes")
    nodes.fetch(n for g in groups for n in g)
    for group in groups:
        gauges = set().union(*(singles_at.get(n, set()) for n in group))
        if len(gauges) < 2 or any(n not in nodes or unparsed.any_with("facilities", "node_id", n) for n in group):
            continue  # no break, or a dangling reference / unparsed facility row (reported on its own)
        yards = [f for n in group for f in v.net.facilities_at.get(n, ()) if f.changes_gauge]
        where = f"at '{group[0]}'" if len(group) == 1 else f"between {', '.join(repr(n) for n in group)} (joined by dual-gauge links)"
        if not yards:
            _p(problems, "nodes", nodes[group[0]], "node_id",
               f"gauge break {where}: {' and '.join(map(str, sorted(gauges)))} mm meet but no gauge_change facility is there in facilities.csv")
            continue
        for to in sorted(gauges):
            if not any(f.changes_gauge_to(to) for f in yards):
                _p(problems, "facilities", yards[0], "gauge_to_mm", f"gauge break {where}: no yard transships onto {to} mm "
                   f"(gauge_to_mm of every yard there is {' '.join(str(g) for f in yards for g in f.gauge_to_mm)}): trains arriving "
                   f"on {sum(gauges) - to} mm cannot go on")

