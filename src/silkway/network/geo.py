"""Distances on the sphere, km: between two points and along a polyline."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def polyline_km(points: Iterable[tuple[float, float]]) -> float:
    """Length of a (lon, lat) polyline along great circles, km."""
    pts = list(points)
    return sum(great_circle_km(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(pts))
