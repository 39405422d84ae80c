"""Typed results of the capacity analysis: element kinds, directions, and frozen records.

Units: trains/day are *container* trains of the run's ``train_teu`` (dataset param, 100 TEU) after background
traffic (``background.csv``) and after the expected closed fraction of closures; TEU/year = trains/day ×
train_teu × 365. ``None`` = unlimited (no capacity given anywhere on the way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ElementKind(StrEnum):
    """What a capacitated element of the network is (one simulation station each)."""

    BORDER_CROSSING = "border_crossing"  # a rail link between two countries, one direction or both (single track)
    GAUGE_YARD = "gauge_yard"  # the yards of a node transshipping onto one gauge (pooled)
    CASPIAN_CROSSING = "caspian_crossing"  # a ferry or feeder between Caspian ports, one direction
    RAIL_LINK = "rail_link"
    VESSEL_LINK = "vessel_link"  # other ferries, feeders and deep-sea services
    TERMINAL = "terminal"
    SEAPORT = "seaport"
    BORDER_POST = "border_post"  # a border facility's handling
    CUSTOMS = "customs"  # unlimited parallel clearance: never binds


class Direction(StrEnum):
    """A flow's direction: westbound when its destination lies west of its origin."""

    WESTBOUND = "westbound"
    EASTBOUND = "eastbound"

    @staticmethod
    def of(origin_lon: float, destination_lon: float) -> Direction:
        return Direction.EASTBOUND if destination_lon > origin_lon else Direction.WESTBOUND


@dataclass(frozen=True)
class Element:
    """One capacitated element: its container capacity and the corridors whose minimum cut contains it."""

    element_id: str  # the simulation's station id, e.g. ``xb_horgos_altynkol:both``
    kind: ElementKind
    name: str
    shared: bool  # one capacity for both directions (single track, two-way yard, port)
    gross_trains_day: float | None  # before background traffic and closures
    closed_fraction: float  # expected share of the year it is closed (closures.csv)
    trains_day: float | None  # left to containers, after background and closures
    teu_year: float | None
    binding_in: tuple[str, ...] = ()  # corridor keys (``northern westbound``…) whose minimum cut contains it


@dataclass(frozen=True)
class CorridorCapacity:
    """The maximum flow of a corridor in one direction, over the stations its flows' routes use.

    ``trains_day``: elements both directions use give this direction their share in proportion to the demand
    crossing them each way; ``alone_trains_day``: the other direction idle (every shared element wholly to this one)."""

    corridor: str  # a demand corridor label, or ``all`` for every flow of the direction
    direction: Direction
    flows: tuple[str, ...]
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    demand_trains_day: float  # the (scaled) demand of these flows, trains/day
    trains_day: float | None
    teu_year: float | None
    alone_trains_day: float | None
    binding: tuple[str, ...]  # element ids of the minimum cut (source side and sink side, when they differ)
    repeated: tuple[str, ...] = ()  # flows whose route passes some station twice (its capacity is overstated there)

    @property
    def key(self) -> str:
        return f"{self.corridor} {self.direction}"

    @property
    def utilisation(self) -> float | None:
        return self.demand_trains_day / self.trains_day if self.trains_day else None


@dataclass(frozen=True)
class CapacityReport:
    as_of: date | None
    train_teu: float
    corridors: tuple[CorridorCapacity, ...]
    elements: tuple[Element, ...]
    closures: bool  # expected closures applied

    def corridor(self, corridor: str, direction: Direction | str) -> CorridorCapacity:
        for c in self.corridors:
            if c.corridor == corridor and c.direction == direction:
                return c
        raise KeyError(f"{corridor} {direction}")

    def element(self, element_id: str) -> Element:
        for e in self.elements:
            if e.element_id == element_id:
                return e
        raise KeyError(element_id)
