"""Cross-table validation rules. Each rule appends located :class:`Problem` s; none stops early.

Pure functions over a :class:`Network`; the caller decides whether problems are fatal. Each rule screens whole
columns first and runs its row code only on the rows that may break it (:mod:`silkway.network.columns`): a valid
dataset of millions of rows is checked without building a record per row, and every problem is still written by the
row code, with its file, line, field and message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from silkway.errors import Problem
from silkway.network.columns import View, duplicated, last_index, rows_of
from silkway.network.components import component_order, components
from silkway.network.dates import epochs, snapshot
from silkway.network.geo import great_circle_km, polyline_km
from silkway.network.model import Network
from silkway.network.schema import REQUIRED_PARAMS, TABLES
from silkway.network.validate_dates import dated_keys, has_dated_rows, without_reversed_periods
from silkway.network.validate_links import (
    ENERGY_BY_MODE,
    GEOMETRY_END_KM,
    MAX_DETOUR,
    MAX_SPEED_KM_DAY,
    MIN_DETOUR,
    borders_and_ports,
    ends_of,
    gauge_breaks,
    geometry,
    links,
    node_ref,
)
from silkway.network.validate_traffic import _p, acceptance, background, gauge_directions

__all__ = ["ENERGY_BY_MODE", "GEOMETRY_END_KM", "MAX_DETOUR", "MAX_SPEED_KM_DAY", "MIN_DETOUR", "NOTHING_UNPARSED", "RULES", "Unparsed",
           "components", "great_circle_km", "polyline_km", "validate_network"]


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


RULES = ("unique_keys", "sources", "links", "facilities", "gauge_directions", "gauge_breaks", "borders_and_ports", "closures", "background",
         "acceptance", "factors_and_rates", "params", "geometry")


def validate_network(net: Network, check_connectivity: bool = True, unparsed: Unparsed | None = None) -> list[Problem]:
    """Every cross-table problem of ``net``. ``unparsed``: rows that exist but did not parse."""
    problems: list[Problem] = []
    known = unparsed or NOTHING_UNPARSED
    full = net.dated if net.dated is not None else net
    whole = View(full)
    for rule in (_unique_keys, _sources):
        rule(whole, problems, known)
    days: list[Any] = [None]
    if has_dated_rows(whole):  # an undated network (a big one usually) is checked once, as it is
        full = without_reversed_periods(full)  # reported above; checked below as if always valid (no cascade)
        days = epochs(full)
    seen: set[Problem] = set(problems)
    per_day: list[list[Problem]] = []
    for day in days:  # the cross-table rules hold on every date: check one network per period without changes
        v = whole if day is None and full is whole.net else View(full if day is None else snapshot(full, day))
        found: list[Problem] = []
        for rule in (links, _facilities, gauge_directions, gauge_breaks, borders_and_ports, _closures, background, acceptance,
                     _factors_and_rates, _params, geometry):
            rule(v, found, known)
        if check_connectivity:
            _connectivity(v, found)
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


def _unique_keys(v: View, problems: list[Problem], _unparsed: Unparsed) -> None:
    """Keys are unique, except that a dated table may repeat a key on rows whose periods follow each other."""
    for name, table in TABLES.items():
        if table.dated:
            dated_keys(v, name, problems)
            continue
        first: dict[tuple[Any, ...], Any] = {}
        for rec in v.records(name, rows_of(duplicated(v, name, table.key))):
            key = tuple(getattr(rec, k) for k in table.key)
            if key in first:
                where = f" (first on line {first[key].line})" if first[key].line else ""
                _p(problems, name, rec, table.key[-1], f"duplicate {'/'.join(table.key)} '{'/'.join(map(str, key))}'{where}")
            else:
                first[key] = rec


def _sources(v: View, problems: list[Problem], unparsed: Unparsed) -> None:
    net = v.net
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
    ids = pa.array(sorted(known), type=pa.string())
    for name, table in TABLES.items():
        cited = np.zeros(len(net.table(name)), dtype=bool)
        for col in table.cols:
            if col.kind == "sources":
                parent, items = v.split(name, col.name)
                cited[parent[~pc.fill_null(pc.is_in(items, value_set=ids), False).to_numpy(zero_copy_only=False)]] = True
        for rec in v.records(name, rows_of(cited)):
            for col_name, sids in rec.src:
                for sid in sids:
                    if sid not in known and not unparsed.may_exist("sources", (sid,)):
                        _p(problems, name, rec, col_name, f"source id '{sid}' is not in sources.csv")


def _ref_missing(v: View, name: str, column: str, target: str) -> Any:
    """Rows of ``name`` whose ``column`` names no row of ``target`` (numpy booleans)."""
    return last_index(v.col(name, column), v.lookup(target).ids()) < 0


def _facilities(v: View, problems: list[Problem], unparsed: Unparsed) -> None:
    fac = v.cols("facilities")
    bad = _ref_missing(v, "facilities", "node_id", "nodes")
    bad |= pc.fill_null(pc.and_(pc.equal(fac.column("facility_kind"), "gauge_change"),
                                pc.invert(pc.match_substring(pc.fill_null(fac.column("gauges"), ""), ";"))), False).to_numpy(zero_copy_only=False)
    for what in ("handling", "customs"):
        med, p90 = fac.column(f"{what}_h_median"), fac.column(f"{what}_h_p90")
        bad |= pc.not_equal(pc.is_null(med), pc.is_null(p90)).to_numpy(zero_copy_only=False)
        bad |= pc.fill_null(pc.greater_equal(med, p90), False).to_numpy(zero_copy_only=False)  # P90 < median, or close
    recs = v.records("facilities", rows_of(bad))
    nodes = v.lookup("nodes")
    nodes.fetch(f.node_id for f in recs)
    for f in recs:
        node_ref(nodes, problems, unparsed, "facilities", f, "node_id")
        if f.facility_kind == "gauge_change" and len(f.gauges) < 2:
            _p(problems, "facilities", f, "gauges", "a gauge_change facility needs the two gauges it transships between (1435;1520)")
        for what in ("handling", "customs"):
            med, p90 = getattr(f, f"{what}_h_median"), getattr(f, f"{what}_h_p90")
            if (med is None) != (p90 is None):
                _p(problems, "facilities", f, f"{what}_h_p90", f"give both {what}_h_median and {what}_h_p90, or neither")
            elif med is not None and p90 is not None and p90 < med:
                _p(problems, "facilities", f, f"{what}_h_p90", f"P90 {p90:g} h is below the median {med:g} h")


def _closures(v: View, problems: list[Problem], unparsed: Unparsed) -> None:
    targets = {"node": "nodes", "link": "links", "facility": "facilities"}
    cols = v.cols("closures")
    kind, target_kind = cols.column("kind"), cols.column("target_kind")
    bad = pc.is_valid(cols.column("month_weights"))  # the checks below are cheap per row; only the references are many
    for what, table in targets.items():
        bad = pc.or_(bad, pc.and_(pc.equal(target_kind, what), pa.array(_ref_missing(v, "closures", "target_id", table))))
    bad = pc.or_(bad, pc.and_(pc.equal(kind, "recurring"), pc.is_null(cols.column("start_day_of_year"))))
    bad = pc.or_(bad, pc.and_(pc.equal(kind, "random"), pc.is_null(cols.column("events_per_year"))))
    recs = v.records("closures", rows_of(bad))
    for c in recs:
        known, table = v.lookup(targets[c.target_kind]), targets[c.target_kind]
        if c.target_id not in known and not unparsed.may_exist(table, (c.target_id,)):
            _p(problems, "closures", c, "target_id", f"{c.target_kind} '{c.target_id[:40]}' does not exist in {TABLES[table].file}")
        if c.kind == "recurring" and c.start_day_of_year is None:
            _p(problems, "closures", c, "start_day_of_year", "a recurring closure needs start_day_of_year")
        if c.kind == "random" and c.events_per_year is None:
            _p(problems, "closures", c, "events_per_year", "a random closure needs events_per_year")
        if c.kind != "random" and c.month_weights:
            _p(problems, "closures", c, "month_weights", "a month profile applies to random closures only (a recurring one has its start day)")


def _factors_and_rates(v: View, problems: list[Problem], unparsed: Unparsed) -> None:
    net, cols = v.net, v.cols("links")
    mode, energy, country = (cols.column(c).combine_chunks() for c in ("mode", "energy", "country"))
    bad = np.zeros(len(mode), dtype=bool)
    for other, lookup in ((energy, net.emission_factor), (country, net.cost_rate)):
        pair = pc.binary_join_element_wise(mode, other, "\x1f")
        missing = [p for p in pc.unique(pair).to_pylist() if p is not None and lookup(*p.split("\x1f")) is None]
        bad |= pc.fill_null(pc.is_in(pair, value_set=pa.array(missing, type=pa.string())), True).to_numpy(zero_copy_only=False)
    for lk in v.records("links", rows_of(bad)):
        if lk.energy not in ENERGY_BY_MODE[lk.mode]:
            continue  # reported by links
        if net.emission_factor(lk.mode, lk.energy) is None and not unparsed.may_exist("emission_factors", (lk.mode, lk.energy)):
            _p(problems, "links", lk, "energy", f"no emission factor for {lk.mode}/{lk.energy} in emission_factors.csv")
        if net.cost_rate(lk.mode, lk.country) is None and not (
            unparsed.may_exist("cost_rates", (lk.mode, lk.country)) or unparsed.may_exist("cost_rates", (lk.mode, "*"))
        ):
            _p(problems, "links", lk, "mode", f"no cost rate for {lk.mode} in {lk.country} (nor a '*' default) in cost_rates.csv")


def _params(v: View, problems: list[Problem], unparsed: Unparsed) -> None:
    have = {p.param: p for p in v.net.params}
    for name in REQUIRED_PARAMS:
        if name not in have and not unparsed.may_exist("params", (name,)):
            problems.append(Problem(TABLES["params"].file, None, "param", f"required parameter '{name}' is missing"))
        elif name in have and have[name].value <= 0:
            _p(problems, "params", have[name], "value", f"required parameter '{name}' must be greater than 0, not {have[name].value:g}")


def _connectivity(v: View, problems: list[Problem]) -> None:
    """Every node is reachable from every other (links are bidirectional): one connected network.
    Skipped while a link names a node that does not exist (reported on its own, not as a cascade)."""
    ends, ids = ends_of(v), v.col("nodes", "node_id")
    if ends.same.any() or not ends.both.all():
        return
    if v.n_distinct("nodes", "node_id") == len(ids):  # ids unique (as they must be): a node's row is its index
        unique, a, b = ids, ends.fi, ends.ti
    else:
        unique = pc.unique(ids)  # in first-occurrence order, as Network.node_by_id
        a, b = (pc.index_in(end, value_set=unique).to_numpy(zero_copy_only=False).astype(np.int64) for end in (ends.frm, ends.to))
    root, ordered = component_order(len(unique), a, b)
    if len(ordered) < 2:
        return
    rank = np.empty(len(unique), dtype=np.int64)
    rank[ordered] = np.arange(len(ordered))
    away = np.flatnonzero(rank[root] > 0)
    names = unique.take(pa.array(away)).to_pylist()
    counts = pc.value_counts(ids.filter(pc.is_in(ids, value_set=pa.array(names, type=pa.string()))))
    once = {n for n, c in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True) if c == 1}
    size = np.bincount(root, minlength=len(unique))
    nodes = v.lookup("nodes")
    nodes.fetch(once)
    for _, node_id, i in sorted(zip(rank[root[away]].tolist(), names, away.tolist(), strict=True)):
        if node_id in once:
            _p(problems, "nodes", nodes[node_id], "node_id", f"'{node_id}' is not connected to the main network (it lies in a separate "
               f"group of {int(size[root[i]])} node(s))")
