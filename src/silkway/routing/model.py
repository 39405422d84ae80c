"""Typed results of the route planner: :class:`Leg`, :class:`RouteOption`, :class:`RouteResult`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from silkway.routing.conditions import FREE, Conditions
from silkway.routing.objectives import Objective
from silkway.vocabulary import LegKind


class ViaKind(StrEnum):
    BORDER = "border"  # a link whose end nodes lie in different countries (on land)
    GAUGE = "gauge"  # a transfer between the 1435 mm and 1520 mm rail platforms
    WATER = "water"  # a ferry, feeder or sea leg


@dataclass(frozen=True, slots=True)
class Via:
    """One key point of a route: ``label`` is what the tables show, e.g. ``Alashankou→Dostyk (CN→KZ)``,
    ``1435→1520 at Alashankou``, ``ferry Aktau→Baku/Alat``."""

    kind: ViaKind
    from_node: str
    to_node: str
    label: str


QUEUE = LegKind.QUEUE  # the leg kind of an expected congestion wait (typical conditions)


@dataclass(frozen=True, slots=True)
class Leg:
    """One element of the door-to-door chain.

    ``kind``: ``move`` (on a link), ``wait`` (for the next scheduled departure), ``handling`` (loading,
    unloading, transshipment, border-station inspection), ``customs`` or ``queue`` (the expected congestion wait
    at the next step's facility, link or quay under typical conditions). Hours are nominal (every step
    at its median, waits as they fall); ``start_h`` counts from the departure. Cost and CO2e are for the
    whole shipment."""

    kind: str
    from_node: str
    to_node: str
    hours: float
    start_h: float
    cost_usd: float = 0.0
    co2e_kg: float = 0.0
    link_id: str | None = None
    facility_id: str | None = None
    mode: str | None = None
    platform: str | None = None
    distance_km: float = 0.0
    country: str | None = None
    corridor: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RouteOption:
    """One route. ``days_median``/``days_p90`` are door-to-door quantiles from Monte Carlo sampling of
    every step (see docs/routing.md); ``days_nominal`` is the time with every step at its median.

    ``legs`` are built when first read: the planner gives a builder over the arrays its query computed (a query
    whose legs nobody reads does not build them); a tuple of legs is taken as it is. Equality and hashing include
    the legs."""

    corridor: str
    node_ids: tuple[str, ...]
    _legs: tuple[Leg, ...] | Callable[[], tuple[Leg, ...]] = field(repr=False, compare=False)
    days_nominal: float
    days_median: float
    days_p90: float
    cost_usd: float
    co2e_kg: float
    transfers: int
    distance_km: float
    pareto: bool = False  # dominated by no other candidate on the displayed (median, P90, cost, CO2e)
    via: tuple[Via, ...] = ()
    gap_variability_days: float = 0.0  # median of the summed sampled steps (waits left out) - sum of their medians
    gap_timetable_days: float = 0.0  # the rest of days_median - days_nominal: waits recomputed for each sampled arrival
    expected_wait_days: float = 0.0  # the legs' expected congestion waits (kind queue; 0 under free conditions)

    @property
    def legs(self) -> tuple[Leg, ...]:
        legs = self._legs
        if callable(legs):  # a builder
            legs = legs()
            object.__setattr__(self, "_legs", legs)  # built once, on first read
        return legs

    def _key(self) -> tuple[Any, ...]:
        return (*(getattr(self, f.name) for f in fields(self) if f.compare), self.legs)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def via_summary(self) -> str:
        """The key points in order, e.g. ``Alashankou→Dostyk (CN→KZ); ferry Kuryk→Baku/Alat; …``."""
        return "; ".join(v.label for v in self.via)

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(leg.link_id for leg in self.legs if leg.kind == LegKind.MOVE and leg.link_id)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(leg.country for leg in self.legs if leg.country))

    def hours_by_kind(self) -> dict[str, float]:
        out = {k.value: 0.0 for k in LegKind}
        for leg in self.legs:
            out[leg.kind] += leg.hours
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict. Shallow on purpose: ``dataclasses.asdict`` deep-copies and cost 7 ms for
        Xi'an → Duisburg, more than planning the route; tuples serialise as JSON arrays."""
        d = {f.name.lstrip("_"): getattr(self, f.name) for f in fields(self)}
        d["legs"] = [{f.name: getattr(leg, f.name) for f in fields(leg)} for leg in self.legs]
        d["via"] = [{"kind": v.kind.value, "from_node": v.from_node, "to_node": v.to_node, "label": v.label} for v in self.via]
        d["via_summary"] = self.via_summary
        d["hours_by_kind"] = self.hours_by_kind()
        return d


@dataclass(frozen=True)
class RouteResult:
    """``options``: up to K corridor-diverse routes, best first by the objective's displayed figure. ``pareto``:
    every candidate route dominated by no other on the displayed (median, P90, cost, CO2e), fastest first."""

    origin: str
    destination: str
    teu: float
    objective: Objective
    depart: str | None
    options: tuple[RouteOption, ...]
    pareto: tuple[RouteOption, ...] = ()
    constraints: dict[str, Any] = field(default_factory=dict)
    method: str = ""
    conditions: Conditions = FREE  # the expected congestion waits the times include (label, warnings)

    @property
    def best(self) -> RouteOption:
        return self.options[0]

    def arrival(self, option: RouteOption, quantile: str = "median") -> str | None:
        """ISO date-time of arrival at the option's median (or ``"p90"``) time, when a departure was given."""
        if self.depart is None:
            return None
        days = option.days_median if quantile == "median" else option.days_p90
        return (dt.datetime.fromisoformat(self.depart) + dt.timedelta(days=days)).isoformat(timespec="minutes")

    def to_frame(self) -> Any:  # pandas DataFrame (pandas is imported on use)
        """The options as a DataFrame, one row each (1 = best)."""
        from silkway.routing.views import options_frame

        return options_frame(self)

    def legs_frame(self, option: int = 1) -> Any:  # pandas DataFrame
        """The legs of option ``option`` (1 = best) as a DataFrame."""
        from silkway.routing.views import legs_frame

        return legs_frame(self, option)

    def to_geojson(self, net: Any) -> dict[str, Any]:
        """The options' legs as a GeoJSON FeatureCollection (``net``: the network the route was planned on)."""
        from silkway.routing.views import geojson

        return geojson(self, net)

    def __repr__(self) -> str:
        from silkway.routing.views import summary

        return summary(self)

    def _repr_html_(self) -> str:
        from silkway.routing.views import summary_html

        return summary_html(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "destination": self.destination,
            "teu": self.teu,
            "objective": self.objective.value,
            "depart": self.depart,
            "constraints": self.constraints,
            "method": self.method,
            "conditions": self.conditions.to_dict(),
            "options": [o.to_dict() for o in self.options],
            "pareto": [o.to_dict() for o in self.pareto],
        }
