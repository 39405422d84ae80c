"""Frozen records of a dataset and the :class:`Network` that holds them.

Field names equal the CSV column names (docs/dataset-format.md). ``src`` maps each source column
(``distance_km_src``, ``coord_src``…) to the source ids it cites. ``line`` is the spreadsheet line
the record came from (``None`` when built in code); it is not part of equality.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SrcMap = tuple[tuple[str, tuple[str, ...]], ...]


def _line() -> int | None:
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Source:
    source_id: str
    kind: str
    publisher: str | None = None
    title: str | None = None
    date: str | None = None
    locator: str | None = None
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class Node:
    node_id: str
    name: str
    country: str
    lat: float
    lon: float
    node_kind: str
    aliases: tuple[str, ...] = ()
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class Link:
    link_id: str
    from_node: str
    to_node: str
    mode: str
    energy: str
    country: str
    distance_km: float
    speed_km_day: float
    time_p90_factor: float
    gauge_mm: tuple[int, ...] = ()
    tracks: float | None = None
    electrified: bool | None = None
    via_countries: tuple[str, ...] = ()
    corridor: tuple[str, ...] = ()
    capacity_trains_day: float | None = None  # trains/day from_node → to_node (and the reverse unless given)
    capacity_trains_day_reverse: float | None = None  # trains/day to_node → from_node where a source gives it
    departures_per_week: float | None = None
    capacity_teu_per_departure: float | None = None
    first_departure_h: float | None = None
    valid_from: date | None = None  # first day the row holds (inclusive); None = always
    valid_to: date | None = None  # last day the row holds (inclusive); None = open-ended
    geometry: tuple[tuple[float, float], ...] = ()  # (lon, lat) points from from_node to to_node; () = a straight line
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()

    @property
    def time_h_median(self) -> float:
        """Median moving time on the link, hours."""
        return self.distance_km / self.speed_km_day * 24.0

    @property
    def countries(self) -> tuple[str, ...]:
        return (self.country, *self.via_countries)

    def capacity_from(self, node_id: str) -> float | None:
        """Trains/day in the direction leaving ``node_id``."""
        if node_id == self.to_node and self.capacity_trains_day_reverse is not None:
            return self.capacity_trains_day_reverse
        return self.capacity_trains_day


@dataclass(frozen=True, slots=True)
class Facility:
    facility_id: str
    node_id: str
    facility_kind: str
    gauges: tuple[int, ...] = ()
    gauge_to_mm: tuple[int, ...] = ()  # a gauge yard's direction: the gauge it transships onto (empty = both ways)
    capacity_trains_day: float | None = None
    capacity_teu_day: float | None = None
    handling_h_median: float | None = None
    handling_h_p90: float | None = None
    customs_h_median: float | None = None
    customs_h_p90: float | None = None
    cost_usd_per_teu: float | None = None
    valid_from: date | None = None  # first day the row holds (inclusive); None = always
    valid_to: date | None = None  # last day the row holds (inclusive); None = open-ended
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()

    @property
    def changes_gauge(self) -> bool:
        return self.facility_kind in ("gauge_change", "dry_port") and len(self.gauges) >= 2

    def changes_gauge_to(self, gauge_mm: int) -> bool:
        """True when the facility transships trains onto ``gauge_mm`` (a directional yard does one way only)."""
        return self.changes_gauge and gauge_mm in (self.gauge_to_mm or self.gauges)


@dataclass(frozen=True, slots=True)
class Closure:
    closure_id: str
    target_kind: str
    target_id: str
    kind: str
    duration_days: float
    start_day_of_year: float | None = None
    events_per_year: float | None = None
    month_weights: tuple[float, ...] | None = None  # random only: relative rate by month, January first (network/seasons.py)
    valid_from: date | None = None  # first day the row holds (inclusive); None = always
    valid_to: date | None = None  # last day the row holds (inclusive); None = open-ended
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class Background:
    """Non-container traffic that occupies a link, a facility or a ferry (docs/dataset-format.md, background.csv).
    ``direction`` of a link: forward = from_node → to_node. ``priority`` reserved: it runs to its own plan and the
    containers get what is left (capacity − background trains/day; ferry wagons − background wagons per sailing)."""

    background_id: str
    target_kind: str
    target_id: str
    direction: str
    cargo: str
    priority: str
    trains_day: float | None = None
    wagons_week: float | None = None
    tonnes_per_wagon: float | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()

    def applies_from(self, node_id: str, lk: Link) -> bool:
        """Whether it occupies the direction of ``lk`` that leaves ``node_id``."""
        return self.direction == "both" or (self.direction == "forward") == (node_id == lk.from_node)


@dataclass(frozen=True, slots=True)
class Acceptance:
    """An acceptance plan: trains/day of containers the receiving railway accepts over a border link in a direction
    (forward = from_node → to_node); 0 = a stop (ban). Booking at the origin respects it (simulation/booking.py)."""

    acceptance_id: str
    link_id: str
    direction: str
    trains_day: float
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class EmissionFactor:
    mode: str
    energy: str
    co2e_g_per_tkm: float
    scope: str = "WTW"
    valid_from: date | None = None  # first day the row holds (inclusive); None = always
    valid_to: date | None = None  # last day the row holds (inclusive); None = open-ended
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class CostRate:
    mode: str
    country: str
    usd_per_teu_km: float
    valid_from: date | None = None  # first day the row holds (inclusive); None = always
    valid_to: date | None = None  # last day the row holds (inclusive); None = open-ended
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class Param:
    param: str
    value: float
    unit: str | None = None
    valid_from: date | None = None  # first day the row holds (inclusive); None = always
    valid_to: date | None = None  # last day the row holds (inclusive); None = open-ended
    note: str | None = None
    src: SrcMap = ()
    line: int | None = _line()


@dataclass(frozen=True, slots=True)
class Manifest:
    name: str
    version: str
    date: str
    licence: str
    description: str = ""
    format_version: int = 1
    reference_date: datetime.date | None = None  # the network's default date (--as-of) when rows are dated


RECORD_TYPES: dict[str, type] = {
    "sources": Source,
    "nodes": Node,
    "links": Link,
    "facilities": Facility,
    "closures": Closure,
    "background": Background,
    "acceptance": Acceptance,
    "emission_factors": EmissionFactor,
    "cost_rates": CostRate,
    "params": Param,
}


@dataclass(frozen=True)
class Network:
    """A whole dataset: immutable; derive a changed copy with :func:`dataclasses.replace`."""

    manifest: Manifest
    sources: tuple[Source, ...]
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    facilities: tuple[Facility, ...] = ()
    closures: tuple[Closure, ...] = ()
    background: tuple[Background, ...] = ()
    acceptance: tuple[Acceptance, ...] = ()
    emission_factors: tuple[EmissionFactor, ...] = ()
    cost_rates: tuple[CostRate, ...] = ()
    params: tuple[Param, ...] = ()
    as_of: date | None = None  # the date this network holds on (a snapshot, network/dates.py); None = every dated row
    dated: Network | None = field(default=None, compare=False, repr=False)  # a snapshot's full dated network

    def nodes_frame(self) -> pd.DataFrame:
        """Nodes as a DataFrame indexed by node_id."""
        from silkway.network.frames import frame

        return frame(self.nodes, "node_id")

    def links_frame(self) -> pd.DataFrame:
        """Links as a DataFrame indexed by link_id (lists joined with ';'; geometry left on the objects)."""
        from silkway.network.frames import frame

        return frame(self.links, "link_id")

    def facilities_frame(self) -> pd.DataFrame:
        """Facilities as a DataFrame indexed by facility_id."""
        from silkway.network.frames import frame

        return frame(self.facilities, "facility_id")

    def __repr__(self) -> str:
        from silkway.network.frames import summary

        return summary(self)

    def _repr_html_(self) -> str:
        from silkway.network.frames import summary_html

        return summary_html(self)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the tables only: the cached lookups (read-only mapping proxies) are rebuilt on use."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @cached_property
    def node_by_id(self) -> Mapping[str, Node]:
        if hasattr(self.nodes, "keyed"):  # a big table from the dataset cache: records built when looked up
            return self.nodes.keyed("node_id")  # type: ignore[no-any-return]
        return MappingProxyType({n.node_id: n for n in self.nodes})

    @cached_property
    def link_by_id(self) -> Mapping[str, Link]:
        if hasattr(self.links, "keyed"):  # as node_by_id
            return self.links.keyed("link_id")  # type: ignore[no-any-return]
        return MappingProxyType({lk.link_id: lk for lk in self.links})

    @cached_property
    def facility_by_id(self) -> Mapping[str, Facility]:
        return MappingProxyType({f.facility_id: f for f in self.facilities})

    @cached_property
    def facilities_at(self) -> Mapping[str, tuple[Facility, ...]]:
        out: dict[str, list[Facility]] = {}
        for f in self.facilities:
            out.setdefault(f.node_id, []).append(f)
        return MappingProxyType({k: tuple(v) for k, v in out.items()})

    @cached_property
    def background_of(self) -> Mapping[tuple[str, str], tuple[Background, ...]]:
        """(target_kind, target_id) → its background traffic rows."""
        out: dict[tuple[str, str], list[Background]] = {}
        for b in self.background:
            out.setdefault((b.target_kind, b.target_id), []).append(b)
        return MappingProxyType({k: tuple(v) for k, v in out.items()})

    @cached_property
    def param(self) -> Mapping[str, float]:
        return MappingProxyType({p.param: p.value for p in self.params})

    def emission_factor(self, mode: str, energy: str) -> EmissionFactor | None:
        for ef in self.emission_factors:
            if ef.mode == mode and ef.energy == energy:
                return ef
        return None

    def cost_rate(self, mode: str, country: str) -> CostRate | None:
        """The rate for ``mode`` in ``country``, else the mode's ``*`` default, else None."""
        default = None
        for r in self.cost_rates:
            if r.mode == mode and r.country == country:
                return r
            if r.mode == mode and r.country == "*":
                default = r
        return default

    def line_of(self, link: Link, from_node: str | None = None) -> tuple[tuple[float, float], ...]:
        """The (lon, lat) points to draw ``link`` with: its geometry when it has one, else the straight line between
        its nodes; reversed when ``from_node`` is the link's ``to_node`` (a leg travelled against the link's direction)."""
        a, b = self.node_by_id[link.from_node], self.node_by_id[link.to_node]
        line = link.geometry or ((a.lon, a.lat), (b.lon, b.lat))
        return line[::-1] if from_node == link.to_node != link.from_node else line

    def table(self, name: str) -> tuple[Any, ...]:
        rows: tuple[Any, ...] = getattr(self, name)
        return rows

    def at(self, day: date | None = None) -> Network:
        """The network as it holds on ``day`` (default: the manifest's reference date): dated rows valid that
        day only, nodes no valid link touches dropped (see :func:`silkway.network.dates.snapshot`)."""
        from silkway.network.dates import snapshot

        return snapshot(self, day)


def valid_on(rec: object, day: date) -> bool:
    """True when a (possibly dated) record holds on ``day``."""
    lo, hi = getattr(rec, "valid_from", None), getattr(rec, "valid_to", None)
    return (lo is None or lo <= day) and (hi is None or day <= hi)
