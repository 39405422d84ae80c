"""Conditions of a route query: ``free`` (no queues: the express answer) or expected waits per element (``typical``:
the baseline simulation's, or those of a stored simulation output or study). Pure: the waits come in as data
(``services/conditions.py`` reads and writes the files).

An *element* is what a train queues for in the simulation (docs/simulation.md, "Stations"): ``handling`` and
``customs`` of a facility (``target`` = the facility id; pooled yards ``a+b``), a rail or road ``link`` leaving a
node, the ``quay`` of a ferry/feeder link at a port, and the ``origin``: a container's wait at its origin node for its
train to leave (to fill, or its timetabled departure; target = the flow's destination node, ``*`` = any). Waits are
means per train (per container at the origin) in hours, by month, and where known their distribution: the quantiles
at :data:`QUANTILE_LEVELS` (min … max), from which the planner samples them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from silkway.errors import RoutingError


class ConditionsKind(StrEnum):
    FREE = "free"  # no congestion waits: every element is free when the container gets there
    TYPICAL = "typical"  # the expected waits of the calibrated baseline simulation shipped with the dataset
    FILE = "file"  # the expected waits of a stored simulation output or study


class ElementKind(StrEnum):
    HANDLING = "handling"
    CUSTOMS = "customs"
    LINK = "link"
    QUAY = "quay"
    ORIGIN = "origin"


ElementKey = tuple[ElementKind, str, str]  # (kind, target id, node id)
ALL_DESTINATIONS = "*"  # the target of an origin element pooled over every flow from that origin
QUANTILE_LEVELS = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)  # the stored points of a wait distribution
Quantiles = tuple[float, ...]  # the waits at QUANTILE_LEVELS (hours, non-decreasing)


@dataclass(frozen=True)
class Conditions:
    """``waits[(kind, target, node)]`` = 13 mean waits per train in hours: index 0 the whole year, 1–12 the months
    (a month without trains in the source falls back on the year); ``dists[key]`` = 13 :data:`Quantiles` (or None: the
    wait is a constant, its mean) for the same months. ``label`` says in the output where they come from;
    ``warnings`` (e.g. the dataset changed since the waits were computed) are shown with every answer."""

    kind: ConditionsKind = ConditionsKind.FREE
    waits: Mapping[ElementKey, tuple[float, ...]] = field(default_factory=dict)
    label: str = "free (no congestion waits)"
    warnings: tuple[str, ...] = ()
    dists: Mapping[ElementKey, tuple[Quantiles | None, ...]] = field(default_factory=dict)

    def wait_h(self, kind: ElementKind, target: str, node: str, month: int | None) -> float:
        """The mean wait of an element in ``month`` (1–12; None = the year); 0 when the source has no such element."""
        row = self.waits.get((kind, target, node))
        if row is None:
            return 0.0
        return row[month or 0]

    def dist(self, kind: ElementKind, target: str, node: str, month: int | None) -> Quantiles | None:
        """The quantiles of an element's wait in ``month`` (None: unknown, the wait is its mean)."""
        row = self.dists.get((kind, target, node))
        return None if row is None else row[month or 0]

    def origin_key(self, origin: str, destination: str) -> ElementKey | None:
        """The origin element for a route: the flow's own (origin, destination) if the source has it, else the origin's
        waits over every flow from it, else None."""
        for target in (destination, ALL_DESTINATIONS):
            key = (ElementKind.ORIGIN, target, origin)
            if key in self.waits:
                return key
        return None

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "label": self.label, "warnings": list(self.warnings), "elements": len(self.waits)}


FREE = Conditions()


def parse_kind(text: str | ConditionsKind) -> ConditionsKind | None:
    """``free`` or ``typical`` (case and blanks ignored); None for anything else (a file name)."""
    if isinstance(text, ConditionsKind):
        return text
    t = str(text).strip().lower()
    return {"free": ConditionsKind.FREE, "typical": ConditionsKind.TYPICAL}.get(t)


T = TypeVar("T")


def pooled(waits: Mapping[ElementKey, T]) -> dict[ElementKey, T]:
    """Each facility of a pooled yard (``a+b``) keyed on its own id too, so a route through one of them finds it."""
    out = dict(waits)
    for (kind, target, node), row in waits.items():
        if "+" in target:
            for part in target.split("+"):
                out.setdefault((kind, part, node), row)
    return out


def check_row(row: tuple[float, ...], where: str) -> tuple[float, ...]:
    if len(row) != 13 or any(not (v >= 0) for v in row):
        raise RoutingError(f"{where}: expected 13 waits ≥ 0 (year, then January … December)")
    return row
