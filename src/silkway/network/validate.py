"""Cross-table validation rules. Each rule appends located :class:`Problem` s; none stops early.

Pure functions over a :class:`Network`; the caller decides whether problems are fatal.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from silkway.errors import Problem
from silkway.network.dates import epochs, snapshot
from silkway.network.model import Network
from silkway.network.schema import CORRIDORS, REQUIRED_PARAMS, TABLES
from silkway.network.validate_dates import dated_keys, without_reversed_periods
from silkway.network.validate_traffic import _p, acceptance, background, gauge_directions
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


_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


@dataclass(frozen=True)
class Unparsed:
    """Rows present in the files that did not parse, so are missing from the :class:`Network`.

    ``rows``: per table, the cells of each broken row that did parse. ``unreadable``: tables whose
    rows are not fully known (file missing, not UTF-8, bad header, unreadable CSV). Referential rules
    do not report a reference as dangling when such a row may be its target: the row's own problem
    is reported once instead of a cascade.
    """

    rows: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    unreadable: frozenset[str] = frozenset()

    def may_exist(self, table: str, key: tuple[Any, ...]) -> bool:
        """True when a row of ``table`` with this key may exist although it did not parse."""
        if table in self.unreadable:
            return True
        cols = TABLES[table].key
        for row in self.rows.get(table, ()):
            if all(row.get(c) is None or row.get(c) == k for c, k in zip(cols, key, strict=True)):
                return True
        return False

    def any_with(self, table: str, column: str, value: Any) -> bool:
        """True when a broken row of ``table`` may have ``column`` == ``value``."""
        if table in self.unreadable:
            return True
        return any(row.get(column) in (None, value) for row in self.rows.get(table, ()))


NOTHING_UNPARSED = Unparsed()


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def polyline_km(points: Iterable[tuple[float, float]]) -> float:
    """Length of a (lon, lat) polyline along great circles, km."""
    pts = list(points)
    return sum(great_circle_km(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(pts))


RULES = ("unique_keys", "sources", "links", "facilities", "gauge_directions", "gauge_breaks", "borders_and_ports", "closures", "background",
         "acceptance", "factors_and_rates", "params", "geometry")


def validate_network(net: Network, check_connectivity: bool = True, unparsed: Unparsed | None = None) -> list[Problem]:
    """Every cross-table problem of ``net``. ``unparsed``: rows that exist but did not parse."""
    problems: list[Problem] = []
    known = unparsed or NOTHING_UNPARSED
    full = net.dated if net.dated is not None else net
    for rule in (_unique_keys, _sources):
        rule(full, problems, known)
    full = without_reversed_periods(full)  # reported above; checked below as if always valid (no cascade)
    days = epochs(full)
    seen: set[Problem] = set(problems)
    per_day: list[list[Problem]] = []
    for day in days:  # the cross-table rules hold on every date: check one network per period without changes
        snap = full if day is None else snapshot(full, day)
        found: list[Problem] = []
        for rule in (_links, _facilities, gauge_directions, _gauge_breaks, _borders_and_ports, _closures, background, acceptance,
                     _factors_and_rates, _params, _geometry):
            rule(snap, found, known)
        if check_connectivity:
            _connectivity(snap, found)
        per_day.append(found)
    everywhere = set.intersection(*(set(f) for f in per_day))
    for i, found in enumerate(per_day):
        for p in found:
            if p not in everywhere:
                when = f"before {days[1]}" if i == 0 else f"from {days[i]}"
                p = Problem(p.file, p.line, p.field, f"{p.message} (in the network {when})")
            if p not in seen:
                seen.add(p)
                problems.append(p)
    return problems


def _unique_keys(net: Network, problems: list[Problem], _unparsed: Unparsed) -> None:
    """Keys are unique, except that a dated table may repeat a key on rows whose periods follow each other."""
    for name, table in TABLES.items():
        if table.dated:
            dated_keys(net, name, problems)
            continue
        first: dict[tuple[Any, ...], Any] = {}
        for rec in net.table(name):
            key = tuple(getattr(rec, k) for k in table.key)
            if key in first:
                where = f" (first on line {first[key].line})" if first[key].line else ""
                _p(problems, name, rec, table.key[-1], f"duplicate {'/'.join(table.key)} '{'/'.join(map(str, key))}'{where}")
            else:
                first[key] = rec


def _sources(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    known = {s.source_id for s in net.sources}
    for s in net.sources:
        if s.kind == "source":
            for f in ("publisher", "title", "date"):
                if not getattr(s, f):
                    _p(problems, "sources", s, f, f"source '{s.source_id}' needs a {f}")
        elif not s.note:
            _p(problems, "sources", s, "note", f"assumption '{s.source_id}' needs its one-line reasoning in 'note'")
        if s.date and not _DATE.fullmatch(s.date):
            _p(problems, "sources", s, "date", f"'{s.date[:40]}' is not a date as YYYY, YYYY-MM or YYYY-MM-DD")
    for name in TABLES:
        for rec in net.table(name):
            for col, ids in rec.src:
                for sid in ids:
                    if sid not in known and not unparsed.may_exist("sources", (sid,)):
                        _p(problems, name, rec, col, f"source id '{sid}' is not in sources.csv")


def _node_ref(net: Network, problems: list[Problem], unparsed: Unparsed, table: str, rec: Any, column: str) -> None:
    node_id = getattr(rec, column)
    if node_id not in net.node_by_id and not unparsed.may_exist("nodes", (node_id,)):
        close = difflib.get_close_matches(node_id, list(net.node_by_id), n=1, cutoff=0.75)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        _p(problems, table, rec, column, f"node '{node_id}' is not in nodes.csv{hint}")


def _links(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    for lk in net.links:
        _node_ref(net, problems, unparsed, "links", lk, "from_node")
        _node_ref(net, problems, unparsed, "links", lk, "to_node")
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
        _link_length(net, lk, problems)


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


def _link_length(net: Network, lk: Any, problems: list[Problem]) -> None:
    a, b = net.node_by_id.get(lk.from_node), net.node_by_id.get(lk.to_node)
    if a is None or b is None or a is b:
        return
    gc = great_circle_km(a.lat, a.lon, b.lat, b.lon)
    if lk.distance_km < MIN_DETOUR * gc - 1.0:
        _p(problems, "links", lk, "distance_km", f"{lk.distance_km:g} km is shorter than the straight line between its ends ({gc:.0f} km): check the distance or the coordinates")
    elif gc > 50 and lk.distance_km > MAX_DETOUR[lk.mode] * gc:
        _p(problems, "links", lk, "distance_km", f"{lk.distance_km:g} km is more than {MAX_DETOUR[lk.mode]:g}x the straight line ({gc:.0f} km): check the distance or the coordinates")


def _geometry(net: Network, problems: list[Problem], _unparsed: Unparsed) -> None:
    """A link's polyline: at least 2 points, each a valid lon/lat, starting near its from_node and ending near its
    to_node, and not shorter than MIN_DETOUR x the great circle between the nodes."""
    for lk in net.links:
        pts = lk.geometry
        if not pts:
            continue
        bad = next(((i, p) for i, p in enumerate(pts, start=1) if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)), None)
        if bad:
            _p(problems, "links", lk, "geometry", f"point {bad[0]} ({bad[1][0]:g} {bad[1][1]:g}) is not 'lon lat' within lon -180..180, lat -90..90")
            continue
        if len(pts) < 2:
            _p(problems, "links", lk, "geometry", f"a geometry needs at least 2 points (from_node to to_node), this one has {len(pts)}")
            continue
        a, b = net.node_by_id.get(lk.from_node), net.node_by_id.get(lk.to_node)
        if a is None or b is None:
            continue  # a dangling node is reported by _links
        for end, (lon, lat), node in (("first", pts[0], a), ("last", pts[-1], b)):
            off = great_circle_km(lat, lon, node.lat, node.lon)
            if off > GEOMETRY_END_KM:
                _p(problems, "links", lk, "geometry", f"the {end} point ({lon:g} {lat:g}) is {off:.0f} km from {'from' if end == 'first' else 'to'}_node "
                   f"'{node.node_id}' (at most {GEOMETRY_END_KM:g} km): the line must run from from_node to to_node")
        length, gc = polyline_km(pts), great_circle_km(a.lat, a.lon, b.lat, b.lon)
        if length < MIN_DETOUR * gc - 1.0:
            _p(problems, "links", lk, "geometry", f"the line is {length:.0f} km long, shorter than {MIN_DETOUR:g} x the great circle between "
               f"its nodes ({gc:.0f} km): points are missing or out of order")


def _facilities(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    for f in net.facilities:
        _node_ref(net, problems, unparsed, "facilities", f, "node_id")
        if f.facility_kind == "gauge_change" and len(f.gauges) < 2:
            _p(problems, "facilities", f, "gauges", "a gauge_change facility needs the two gauges it transships between (1435;1520)")
        for what in ("handling", "customs"):
            med, p90 = getattr(f, f"{what}_h_median"), getattr(f, f"{what}_h_p90")
            if (med is None) != (p90 is None):
                _p(problems, "facilities", f, f"{what}_h_p90", f"give both {what}_h_median and {what}_h_p90, or neither")
            elif med is not None and p90 is not None and p90 < med:
                _p(problems, "facilities", f, f"{what}_h_p90", f"P90 {p90:g} h is below the median {med:g} h")


def _dual_gauge_groups(net: Network, singles_at: Mapping[str, set[int]] | None = None) -> list[list[str]]:
    """Nodes joined by dual-gauge (1435;1520) rail links, each group in nodes.csv order; largest group first, then in
    nodes.csv order. With ``singles_at`` (node → gauges of its single-gauge links), only the groups where both gauges
    can meet: those with a dual-gauge link, and single nodes with two gauges (a big network has few of either)."""
    dual = [(lk.from_node, lk.to_node) for lk in net.links if lk.mode == "rail" and len(lk.gauge_mm) > 1]
    order = {n.node_id: i for i, n in enumerate(net.nodes)}

    def rank(n: str) -> tuple[int, str]:
        return order.get(n, len(order)), n

    if singles_at is None:
        rail_nodes = {n for lk in net.links if lk.mode == "rail" for n in (lk.from_node, lk.to_node)}
    else:
        rail_nodes = {n for edge in dual for n in edge} | {n for n, g in singles_at.items() if len(g) > 1}
    groups = components(sorted(rail_nodes, key=rank), dual)
    return [sorted(g, key=rank) for g in groups]


def _gauge_breaks(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    """Where single-gauge rail links of both gauges meet (at a node, or across dual-gauge links),
    a facility that changes gauge must exist at one of the nodes where they meet."""
    singles_at: dict[str, set[int]] = {}
    for lk in net.links:
        if lk.mode == "rail" and len(lk.gauge_mm) == 1:
            for end in (lk.from_node, lk.to_node):
                singles_at.setdefault(end, set()).add(lk.gauge_mm[0])
    for group in _dual_gauge_groups(net, singles_at):
        gauges = set().union(*(singles_at.get(n, set()) for n in group))
        if len(gauges) < 2 or any(n not in net.node_by_id or unparsed.any_with("facilities", "node_id", n) for n in group):
            continue  # no break, or a dangling reference / unparsed facility row (reported on its own)
        yards = [f for n in group for f in net.facilities_at.get(n, ()) if f.changes_gauge]
        where = f"at '{group[0]}'" if len(group) == 1 else f"between {', '.join(repr(n) for n in group)} (joined by dual-gauge links)"
        if not yards:
            _p(problems, "nodes", net.node_by_id[group[0]], "node_id",
               f"gauge break {where}: {' and '.join(map(str, sorted(gauges)))} mm meet but no gauge_change facility is there in facilities.csv")
            continue
        for to in sorted(gauges):
            if not any(f.changes_gauge_to(to) for f in yards):
                _p(problems, "facilities", yards[0], "gauge_to_mm", f"gauge break {where}: no yard transships onto {to} mm "
                   f"(gauge_to_mm of every yard there is {' '.join(str(g) for f in yards for g in f.gauge_to_mm)}): trains arriving "
                   f"on {sum(gauges) - to} mm cannot go on")


def _borders_and_ports(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    nodes = net.node_by_id
    for lk in net.links:
        a, b = nodes.get(lk.from_node), nodes.get(lk.to_node)
        if a is None or b is None:
            continue
        for end in (a, b):
            if unparsed.any_with("facilities", "node_id", end.node_id):
                continue
            kinds = {f.facility_kind for f in net.facilities_at.get(end.node_id, ())}
            if lk.mode in LAND_MODES and a.country != b.country and "border" not in kinds:
                _p(problems, "links", lk, "from_node" if end is a else "to_node", f"crosses {a.country}-{b.country} but '{end.node_id}' has no border facility in facilities.csv")
            if lk.mode in WATER_MODES and "seaport" not in kinds:
                _p(problems, "links", lk, "from_node" if end is a else "to_node", f"a {lk.mode} link ends at '{end.node_id}', which has no seaport facility in facilities.csv")


def _closures(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    targets = {"node": (net.node_by_id, "nodes"), "link": (net.link_by_id, "links"), "facility": (net.facility_by_id, "facilities")}
    for c in net.closures:
        known, table = targets[c.target_kind]
        if c.target_id not in known and not unparsed.may_exist(table, (c.target_id,)):
            _p(problems, "closures", c, "target_id", f"{c.target_kind} '{c.target_id[:40]}' does not exist in {TABLES[table].file}")
        if c.kind == "recurring" and c.start_day_of_year is None:
            _p(problems, "closures", c, "start_day_of_year", "a recurring closure needs start_day_of_year")
        if c.kind == "random" and c.events_per_year is None:
            _p(problems, "closures", c, "events_per_year", "a random closure needs events_per_year")
        if c.kind != "random" and c.month_weights:
            _p(problems, "closures", c, "month_weights", "a month profile applies to random closures only (a recurring one has its start day)")


def _factors_and_rates(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    for lk in net.links:
        if lk.energy not in ENERGY_BY_MODE[lk.mode]:
            continue  # reported by _links
        if net.emission_factor(lk.mode, lk.energy) is None and not unparsed.may_exist("emission_factors", (lk.mode, lk.energy)):
            _p(problems, "links", lk, "energy", f"no emission factor for {lk.mode}/{lk.energy} in emission_factors.csv")
        if net.cost_rate(lk.mode, lk.country) is None and not (
            unparsed.may_exist("cost_rates", (lk.mode, lk.country)) or unparsed.may_exist("cost_rates", (lk.mode, "*"))
        ):
            _p(problems, "links", lk, "mode", f"no cost rate for {lk.mode} in {lk.country} (nor a '*' default) in cost_rates.csv")


def _params(net: Network, problems: list[Problem], unparsed: Unparsed) -> None:
    have = {p.param: p for p in net.params}
    for name in REQUIRED_PARAMS:
        if name not in have and not unparsed.may_exist("params", (name,)):
            problems.append(Problem(TABLES["params"].file, None, "param", f"required parameter '{name}' is missing"))
        elif name in have and have[name].value <= 0:
            _p(problems, "params", have[name], "value", f"required parameter '{name}' must be greater than 0, not {have[name].value:g}")


_Node = TypeVar("_Node", bound=Hashable)  # a node id: str in a dataset, int in an import


def components(node_ids: Iterable[_Node], edges: Iterable[tuple[_Node, _Node]]) -> list[set[_Node]]:
    """Connected components of an undirected graph, largest first (ties in the order of ``node_ids``); edges naming
    a node not in ``node_ids`` are ignored. Union-find over arrays (numpy), so a million nodes take a second."""
    index: dict[_Node, int] = {}
    for n in node_ids:
        index.setdefault(n, len(index))
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    root = _roots(len(index), arr[:, 0], arr[:, 1])
    first = np.full(len(index), len(index), dtype=np.int64)
    np.minimum.at(first, root, np.arange(len(index)))  # the first node of each component, in node_ids order
    roots = np.unique(root)
    sizes = np.bincount(root, minlength=len(index))[roots]
    ordered = roots[np.lexsort((first[roots], -sizes))]
    names = list(index)
    members: dict[int, set[_Node]] = {int(r): set() for r in ordered}
    for name, r in zip(names, root.tolist(), strict=True):
        members[r].add(name)
    return [members[int(r)] for r in ordered]


def _roots(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The root (smallest index) of each node's component: hook roots to the smaller one, then jump pointers."""
    parent = np.arange(n, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            return parent
        np.minimum.at(parent, np.maximum(ra, rb)[differ], np.minimum(ra, rb)[differ])
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


def _connectivity(net: Network, problems: list[Problem]) -> None:
    """Every node is reachable from every other (links are bidirectional): one connected network.
    Skipped while a link names a node that does not exist (reported on its own, not as a cascade)."""
    if any(lk.from_node == lk.to_node or end not in net.node_by_id for lk in net.links for end in (lk.from_node, lk.to_node)):
        return
    comps = components(net.node_by_id, ((lk.from_node, lk.to_node) for lk in net.links))
    counts = Counter(n.node_id for n in net.nodes)
    for comp in comps[1:]:
        for node_id in sorted(comp):
            if counts[node_id] == 1:
                _p(problems, "nodes", net.node_by_id[node_id], "node_id", f"'{node_id}' is not connected to the main network (it lies in a separate group of {len(comp)} node(s))")
