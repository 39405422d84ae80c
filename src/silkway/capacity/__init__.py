"""Analytic capacity: maximum flow / minimum cut over the simulation's stations (docs/capacity.md)."""

from silkway.capacity.analysis import analyse
from silkway.capacity.model import CapacityReport, CorridorCapacity, Direction, Element, ElementKind

__all__ = ["CapacityReport", "CorridorCapacity", "Direction", "Element", "ElementKind", "analyse"]
