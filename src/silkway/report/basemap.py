"""Country outlines for the report's maps, from the Natural Earth TopoJSON the web app ships.

Public-domain Natural Earth data via the npm package world-atlas (vendored under
``silkway/web/static/vendor/world-atlas``): no tile server, no download. Every arc of the topology
is drawn as a thin line, which gives coastlines and borders without assembling polygons.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np

WORLD_ATLAS = ("web", "static", "vendor", "world-atlas", "countries-50m.json")
WATERWAYS = {  # lon min, lat min, lon max, lat max: narrower than Natural Earth 1:50m draws water, so a lane crosses "land"
    "Suez Canal": (32.1, 29.8, 32.7, 31.4),
    "Turkish Straits": (26.0, 40.0, 29.4, 41.4),
    "Lower Elbe": (8.8, 53.4, 10.1, 54.0),
}


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute lon/lat arrays (n×2) of a quantised TopoJSON topology's arcs (delta-encoded)."""
    tf = topology.get("transform")
    scale = np.asarray(tf["scale"]) if tf else np.ones(2)
    translate = np.asarray(tf["translate"]) if tf else np.zeros(2)
    out = []
    for arc in topology["arcs"]:
        pts = np.asarray(arc, dtype=np.float64)
        if tf:
            pts = np.cumsum(pts, axis=0)
        out.append(pts * scale + translate)
    return out


@lru_cache(maxsize=1)
def country_outlines() -> tuple[np.ndarray, ...]:
    """The world's coastlines and borders as lon/lat polylines (read once per process)."""
    path = resources.files("silkway").joinpath(*WORLD_ATLAS)
    return tuple(decode_arcs(json.loads(path.read_text(encoding="utf-8"))))


@lru_cache(maxsize=1)
def land_rings() -> tuple[np.ndarray, ...]:
    """Every ring (outer and hole) of Natural Earth's land polygons as closed lon/lat arrays (read once per process).
    A ring cut at the antimeridian (eastern Russia, Fiji) jumps twice between ±180°: its far side is shifted by 360°
    so that it stays one simple polygon instead of a band round the globe."""
    path = resources.files("silkway").joinpath(*WORLD_ATLAS)
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    rings = []
    for geom in topology["objects"]["land"]["geometries"]:
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ring]
                rings.append(_unwrap(np.concatenate([parts[0], *(p[1:] for p in parts[1:])])))
    return tuple(rings)


def _unwrap(ring: np.ndarray) -> np.ndarray:
    jumps = np.flatnonzero(np.abs(np.diff(ring[:, 0])) > 180)
    if len(jumps) != 2:
        return ring
    out = ring.copy()
    far = slice(jumps[0] + 1, jumps[1] + 1)
    out[far, 0] += 360.0 if out[far, 0].mean() < 0 else -360.0
    return out


def on_land(lonlat: np.ndarray) -> np.ndarray:
    """For each (lon, lat) point: True when it lies on land (inside an odd number of land rings: a lake such as the
    Caspian is a hole). Natural Earth 1:50m: a canal or a strait narrower than a few km (Suez, Bosporus) counts as land."""
    from matplotlib.path import Path

    pts = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
    inside = np.zeros(len(pts), dtype=bool)
    if not len(pts):
        return inside
    rings, boxes = land_rings(), _ring_boxes()
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    for r in np.flatnonzero(np.all(boxes[:, :2] <= hi, axis=1) & np.all(boxes[:, 2:] >= lo, axis=1)):
        near = np.all((pts >= boxes[r, :2]) & (pts <= boxes[r, 2:]), axis=1)
        if near.any():
            inside[near] ^= Path(rings[r]).contains_points(pts[near])
    return inside


@lru_cache(maxsize=1)
def _ring_boxes() -> np.ndarray:
    """(lon min, lat min, lon max, lat max) of each land ring."""
    return np.array([[*r.min(axis=0), *r.max(axis=0)] for r in land_rings()])


def gc_km(lon1: np.ndarray, lat1: np.ndarray, lon2: float | np.ndarray, lat2: float | np.ndarray) -> np.ndarray:
    """Great-circle distances, km (vectorised; the same sphere as silkway.network.validate.great_circle_km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def densify(line: np.ndarray, step_km: float = 5.0) -> np.ndarray:
    """A (lon, lat) polyline with points inserted every ``step_km`` (linearly in lon/lat, as a map draws it)."""
    line = np.asarray(line, dtype=float)
    seg = gc_km(line[:-1, 0], line[:-1, 1], line[1:, 0], line[1:, 1])
    out = [p + (q - p) * (np.arange(max(1, int(d / step_km)))[:, None] / max(1, int(d / step_km)))
           for p, q, d in zip(line[:-1], line[1:], seg, strict=True)]
    return np.concatenate([*out, line[-1:]])


def land_km(line: np.ndarray, ends_km: float = 30.0, step_km: float = 5.0) -> float:
    """km of the line over land, outside the WATERWAYS and the first/last ``ends_km`` (a port's coast)."""
    line = np.asarray(line, dtype=float)
    pts = densify(line, step_km)
    far = np.minimum(gc_km(pts[:, 0], pts[:, 1], line[0, 0], line[0, 1]), gc_km(pts[:, 0], pts[:, 1], line[-1, 0], line[-1, 1])) > ends_km
    for x0, y0, x1, y1 in WATERWAYS.values():
        far &= ~((pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1))
    return float((on_land(pts[far])).sum() * step_km) if far.any() else 0.0
