"""Validation rules of directions and background traffic: directional gauge yards and the non-container traffic
of background.csv. Pure functions appending located problems, like :mod:`silkway.network.validate`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow.compute as pc

from silkway.errors import Problem
from silkway.network.columns import View, rows_of
from silkway.network.model import Background, Link, Network
from silkway.network.schema import TABLES

FERRY_WAGONS_DEFAULT = 54.0  # params.csv ferry_wagons when absent (Caspian rail ferries carry up to 54-56 wagons)


def _p(problems: list[Problem], table: str, rec: Any, field: str | None, msg: str) -> None:
    problems.append(Problem(TABLES[table].file, getattr(rec, "line", None), field, msg))


def gauge_directions(v: View, problems: list[Problem], _unparsed: Any) -> None:
    """``gauge_to_mm`` names one of the facility's own gauges, on a facility that changes gauge."""
    for f in v.records("facilities", rows_of(pc.is_valid(v.col("facilities", "gauge_to_mm")))):
        if not f.gauge_to_mm:
            continue
        if not f.changes_gauge:
            _p(problems, "facilities", f, "gauge_to_mm", "gauge_to_mm is only for a facility that changes gauge (gauges 1435;1520)")
        elif len(f.gauge_to_mm) != 1 or f.gauge_to_mm[0] not in f.gauges:
            _p(problems, "facilities", f, "gauge_to_mm",
               f"gauge_to_mm must be one of the facility's gauges ({';'.join(map(str, f.gauges))}): the gauge its yard transships onto")


def background(v: View, problems: list[Problem], unparsed: Any) -> None:
    """Each row occupies something that exists, with the measure that fits it, and leaves room for containers."""
    net = v.net
    if not net.background:
        return
    links, facs = v.lookup("links"), v.lookup("facilities")
    links.fetch(b.target_id for b in net.background if b.target_kind == "link")
    facs.fetch(b.target_id for b in net.background if b.target_kind == "facility")
    for b in net.background:
        known = links if b.target_kind == "link" else facs
        if b.target_id not in known:
            if not unparsed.may_exist("links" if b.target_kind == "link" else "facilities", (b.target_id,)):
                _p(problems, "background", b, "target_id", f"{b.target_kind} '{b.target_id[:40]}' does not exist in "
                   f"{TABLES['links' if b.target_kind == 'link' else 'facilities'].file}")
            continue
        if b.target_kind == "facility":
            if b.direction != "both":
                _p(problems, "background", b, "direction", "a facility's background traffic has no direction: write 'both'")
            _trains(problems, b, "facility", facs[b.target_id].capacity_trains_day)
        else:
            _on_link(problems, b, links[b.target_id])
    _fills_capacity(net, links, facs, problems)


def _on_link(problems: list[Problem], b: Background, lk: Link) -> None:
    if lk.mode == "rail":
        _trains(problems, b, f"rail link '{lk.link_id}'", lk.capacity_trains_day)
    elif lk.mode == "ferry":
        if b.wagons_week is None:
            _p(problems, "background", b, "wagons_week", "background on a ferry is counted in wagons_week (wagons per week each way it applies)")
        if b.trains_day is not None:
            _p(problems, "background", b, "trains_day", "a ferry carries wagons, not trains: use wagons_week")
        if b.wagons_week is not None and b.tonnes_per_wagon is None:
            _p(problems, "background", b, "tonnes_per_wagon", "give the payload per wagon (t) so the ferry's cargo can be counted in tonnes")
    else:
        _p(problems, "background", b, "target_id", f"'{lk.link_id}' is a {lk.mode} link: background traffic occupies rail links, "
           "facilities and rail ferries (feeders and ships carry containers only)")


def _trains(problems: list[Problem], b: Background, what: str, capacity: float | None) -> None:
    if b.trains_day is None:
        _p(problems, "background", b, "trains_day", f"background on a {what} is counted in trains_day")
    elif capacity is None:
        _p(problems, "background", b, "target_id", f"{what} has no capacity_trains_day for background trains to occupy")
    if b.wagons_week is not None:
        _p(problems, "background", b, "wagons_week", "wagons_week is for ferries; trains use trains_day")


def _fills_capacity(net: Network, links: Mapping[str, Link], facs: Mapping[str, Any], problems: list[Problem]) -> None:
    """Background in one direction must leave some capacity to containers (reported on the last row that adds to it)."""
    ferry_wagons = net.param.get("ferry_wagons", FERRY_WAGONS_DEFAULT)
    for (kind, target), rows in net.background_of.items():
        if kind == "facility":
            f = facs.get(target)
            total = sum(b.trains_day or 0.0 for b in rows)
            if f is not None and f.capacity_trains_day and total >= f.capacity_trains_day:
                _p(problems, "background", rows[-1], "trains_day", f"background {total:g} trains/day fills the capacity of "
                   f"'{target}' ({f.capacity_trains_day:g}/day): nothing is left for containers")
            continue
        lk = links.get(target)
        if lk is None:
            continue
        for end in (lk.from_node, lk.to_node):
            mine = [b for b in rows if b.applies_from(end, lk)]
            if not mine:
                continue
            if lk.mode == "ferry" and lk.departures_per_week:
                total, cap, unit = sum(b.wagons_week or 0.0 for b in mine), ferry_wagons * lk.departures_per_week, "wagons/week"
            else:
                total, cap, unit = sum(b.trains_day or 0.0 for b in mine), lk.capacity_from(end) or 0.0, "trains/day"
            if cap and total >= cap:
                _p(problems, "background", mine[-1], "wagons_week" if unit == "wagons/week" else "trains_day",
                   f"background {total:g} {unit} leaving '{end}' fills the capacity of '{target}' ({cap:g} {unit}): nothing is left for containers")


def acceptance(v: View, problems: list[Problem], unparsed: Any) -> None:
    """An acceptance plan names a link that crosses a border."""
    net = v.net
    links, nodes = v.lookup("links"), v.lookup("nodes")
    links.fetch(a.link_id for a in net.acceptance)
    nodes.fetch(n for a in net.acceptance if (lk := links.get(a.link_id)) is not None for n in (lk.from_node, lk.to_node))
    for a in net.acceptance:
        lk = links.get(a.link_id)
        if lk is None:
            if not unparsed.may_exist("links", (a.link_id,)):
                _p(problems, "acceptance", a, "link_id", f"link '{a.link_id[:40]}' does not exist in links.csv")
            continue
        if any(n not in nodes for n in (lk.from_node, lk.to_node)):
            continue  # a broken node is reported on its own row
        ends = {nodes[n].country for n in (lk.from_node, lk.to_node)}
        if len(ends) < 2 and not lk.via_countries:
            _p(problems, "acceptance", a, "link_id", f"link '{lk.link_id}' does not cross a border: acceptance plans are for border crossings")
        if lk.mode != "rail":
            _p(problems, "acceptance", a, "link_id", f"link '{lk.link_id}' is {lk.mode}: acceptance plans count trains on rail crossings")
