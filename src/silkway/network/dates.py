"""A network as of a date: snapshots of dated rows, the dates on which the network changes, and what changed.

Rows of the dated tables (links, facilities, closures, emission factors, cost rates, params) may carry
``valid_from`` / ``valid_to`` (first and last day, both inclusive; empty = unbounded). A *snapshot* keeps the
rows valid on one day; nodes that no valid link touches are dropped with their facilities and closures, so a
planned line (a future border crossing) is absent before its opening. Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from silkway.errors import SilkwayError
from silkway.limits import check_day
from silkway.network.model import Network, valid_on
from silkway.network.schema import TABLES

DATED_TABLES = tuple(name for name, t in TABLES.items() if t.dated)
_DAY = timedelta(days=1)


def parse_as_of(text: str | date | None, what: str = "as-of date") -> date | None:
    """``YYYY-MM-DD`` (or a date) → date; a clear error otherwise. A date-time keeps its day."""
    if text is None or isinstance(text, date):
        return text if text is None else check_day(text if not isinstance(text, datetime) else text.date(), what)
    raw = str(text).strip()
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else datetime.fromisoformat(raw).date()  # a date-time keeps its day
    except ValueError:
        raise SilkwayError(f"{what} '{raw[:40]}' is not a date as YYYY-MM-DD") from None
    return check_day(day, what)


def is_dated(net: Network) -> bool:
    """True when some row of ``net`` carries a validity period."""
    return any(r.valid_from or r.valid_to for name in DATED_TABLES for r in net.table(name))


def snapshot(net: Network, day: date | None = None) -> Network:
    """The network on ``day`` (default: the manifest's reference date; a network without dated rows and
    without a reference date is returned whole). A snapshot of a snapshot is taken from the full rows."""
    full = net.dated if net.dated is not None else net
    day = day if day is not None else (net.as_of or full.manifest.reference_date)
    if day is None:
        return full
    tables: dict[str, Any] = {name: tuple(r for r in full.table(name) if valid_on(r, day)) for name in DATED_TABLES}
    linked = {n for lk in tables["links"] for n in (lk.from_node, lk.to_node)}
    ever = {n for lk in full.links for n in (lk.from_node, lk.to_node)}
    nodes = tuple(n for n in full.nodes if n.node_id in linked or n.node_id not in ever)
    keep = {n.node_id for n in nodes}
    tables["facilities"] = tuple(f for f in tables["facilities"] if f.node_id in keep)
    present = {"node": keep, "link": {lk.link_id for lk in tables["links"]}, "facility": {f.facility_id for f in tables["facilities"]}}
    tables["closures"] = tuple(c for c in tables["closures"] if c.target_id in present[c.target_kind])
    tables["background"] = tuple(b for b in tables["background"] if b.target_id in present[b.target_kind])
    tables["acceptance"] = tuple(a for a in tables["acceptance"] if a.link_id in present["link"])
    return replace(full, nodes=nodes, **tables, as_of=day, dated=full)


def change_dates(net: Network) -> list[date]:
    """Every day on which some dated row starts or ends holding (the day after its ``valid_to``), sorted."""
    days: set[date] = set()
    for name in DATED_TABLES:
        for r in net.table(name):
            if r.valid_from:
                days.add(r.valid_from)
            if r.valid_to and r.valid_to < date.max:
                days.add(r.valid_to + _DAY)
    return sorted(days)


def epochs(net: Network) -> list[date | None]:
    """One representative day per period in which the network does not change (``[None]`` when nothing is
    dated): the day before the first change, then each change date."""
    days = change_dates(net)
    return [days[0] - _DAY, *days] if days else [None]


def period_of(net: Network, day: date | None) -> date | None:
    """The representative day of the period (between two change dates) that contains ``day``: every day of a period
    has the same snapshot, so caches key on this. None stays None (the reference date)."""
    if day is None:
        return None
    days = change_dates(net.dated if net.dated is not None else net)
    if not days:
        return day
    starts = [d for d in days if d <= day]
    return starts[-1] if starts else days[0] - _DAY


@dataclass(frozen=True)
class Change:
    table: str
    key: str
    what: str  # added | removed | changed
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (field, before, after) for a changed row
    line_before: int | None = None
    line_after: int | None = None

    def __str__(self) -> str:
        if self.what != "changed":
            return f"{self.table} {self.key}: {self.what}"
        return f"{self.table} {self.key}: " + "; ".join(f"{f} {show_value(a)} → {show_value(b)}" for f, a, b in self.fields)


def changes(net: Network, before: date, after: date) -> list[Change]:
    """What differs between the network on ``before`` and on ``after``: rows added, removed or changed
    (matched on each table's key), and nodes that appear or disappear."""
    a, b = snapshot(net, before), snapshot(net, after)
    out: list[Change] = []
    ids_a, ids_b = {n.node_id for n in a.nodes}, {n.node_id for n in b.nodes}
    out += [Change("nodes", n, "added") for n in sorted(ids_b - ids_a)]
    out += [Change("nodes", n, "removed") for n in sorted(ids_a - ids_b)]
    for name in DATED_TABLES:
        key = TABLES[name].key
        rows_a = {tuple(getattr(r, k) for k in key): r for r in a.table(name)}
        rows_b = {tuple(getattr(r, k) for k in key): r for r in b.table(name)}
        for k in sorted(set(rows_a) | set(rows_b), key=lambda t: tuple(map(str, t))):
            ra, rb = rows_a.get(k), rows_b.get(k)
            label = "/".join(map(str, k))
            if ra is None:
                assert rb is not None  # k is a key of one of the two tables
                out.append(Change(name, label, "added", line_after=rb.line))
            elif rb is None:
                out.append(Change(name, label, "removed", line_before=ra.line))
            elif ra != rb:
                diff = tuple((c.name, getattr(ra, c.name), getattr(rb, c.name)) for c in TABLES[name].cols
                             if c.name not in ("valid_from", "valid_to", "note") and c.kind != "sources"
                             and getattr(ra, c.name) != getattr(rb, c.name))
                if diff:
                    out.append(Change(name, label, "changed", diff, ra.line, rb.line))
    return out


def show_value(v: Any) -> str:
    """A changed value as shown: — for empty, floats without trailing zeros, lists joined with ;."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,g}"
    if isinstance(v, tuple):
        return ";".join(map(str, v))
    return str(v)
