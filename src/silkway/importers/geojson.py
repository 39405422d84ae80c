"""Read links drawn in a GIS (a GeoJSON FeatureCollection) into the raw track graph (docs/import.md).

LineString / MultiLineString features are track; Point features are named places. A line's end within ``snap_km`` of
a Point ends there; ends within ``snap_km`` of each other meet at an inferred junction; a Point within ``snap_km`` of
a line's inner vertex cuts the line there (a station along a line drawn in one piece).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from silkway import safe_io
from silkway.errors import SilkwayError
from silkway.importers import tags as T
from silkway.importers.graph import Attrs, Piece, Vertex, VertexKind, polyline_km
from silkway.network.parse import show
from silkway.network.schema import GAUGES_MM, NODE_KINDS
from silkway.network.validate import great_circle_km


class _Grid:
    """Vertices by 0.01° cell, to find the one within ``snap_km`` of a point."""

    def __init__(self, snap_km: float):
        self.snap_km = snap_km
        self.cells: dict[tuple[int, int], list[Any]] = {}
        self.cell = max(0.01, snap_km / 100.0)

    def _key(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon / self.cell), math.floor(lat / self.cell)

    def add(self, v: Vertex) -> None:
        self.cells.setdefault(self._key(v.lon, v.lat), []).append(v)

    def near(self, lon: float, lat: float) -> Vertex | None:
        x, y = self._key(lon, lat)
        best, best_km = None, self.snap_km
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for v in self.cells.get((x + dx, y + dy), ()):
                    d = great_circle_km(lat, lon, v.lat, v.lon)
                    if d <= best_km:
                        best, best_km = v, d
        return best


def read_geojson(path: str | os.PathLike[str], default_gauge: int | None = None, snap_km: float = 0.5,
                 speeds: T.SpeedRules = T.DEFAULT_SPEEDS) -> tuple[dict[int, Vertex], list[Piece]]:
    file = Path(path)
    try:  # a regular file, capped (silkway.safe_io): a FIFO or /dev/zero would hang or grow without bound
        doc = json.loads(safe_io.read_text(file, "geojson"))
    except safe_io.UnsafeFile as exc:
        raise SilkwayError(f"{file}: {exc.reason}") from None
    except ValueError as exc:
        raise SilkwayError(f"{file}: not valid GeoJSON: {show(str(exc))}") from None
    except RecursionError:
        raise SilkwayError(f"{file}: not valid GeoJSON: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise SilkwayError(f"{file}: not a GeoJSON FeatureCollection")
    problems: list[str] = []
    vertices: dict[int, Vertex] = {}
    grid = _Grid(snap_km)
    lines: list[tuple[int, list[tuple[float, float]], dict[str, Any]]] = []
    for i, feat in enumerate(doc["features"], start=1):
        geom = (feat or {}).get("geometry") or {}
        props = (feat or {}).get("properties") or {}
        kind = geom.get("type")
        coords: Any = geom.get("coordinates")  # any JSON: the readers below reject what is not coordinates
        try:
            if kind == "Point":
                v = _point(-len(vertices) - 1, coords, props)
                vertices[v.key] = v
                grid.add(v)
            elif kind in ("LineString", "MultiLineString"):
                for part in ([coords] if kind == "LineString" else coords):
                    lines.append((i, [_lonlat(c) for c in part], props))
            else:
                problems.append(f"feature {i}: geometry {show(str(kind))} is neither a Point nor a LineString")
        except (TypeError, ValueError, IndexError) as exc:
            problems.append(f"feature {i}: {exc}")
    pieces: list[Piece] = []
    for i, points, props in lines:
        try:
            pieces.extend(_line_pieces(i, points, props, vertices, grid, default_gauge, speeds))
        except ValueError as exc:
            problems.append(f"feature {i}: {exc}")
    if problems:
        raise SilkwayError(f"{file}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    if not pieces:
        raise SilkwayError(f"{file}: no LineString feature (links are drawn as lines)")
    return vertices, pieces


def _lonlat(c: Any) -> tuple[float, float]:
    lon, lat = float(c[0]), float(c[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"coordinate {lon:g} {lat:g} is not lon lat in degrees")
    return lon, lat


def _point(key: int, coords: Any, props: dict[str, Any]) -> Vertex:
    lon, lat = _lonlat(coords)
    name = props.get("name") or props.get("node_id") or props.get("id")
    kind = props.get("node_kind")
    if kind is not None and kind not in NODE_KINDS:
        raise ValueError(f"node_kind '{show(str(kind))}' is not one of {', '.join(NODE_KINDS)}")
    aliases = props.get("aliases") or ()
    aliases = tuple(a.strip() for a in (aliases.split(";") if isinstance(aliases, str) else aliases) if str(a).strip())
    node_id = props.get("node_id") or props.get("id")
    country = props.get("country")
    return Vertex(key, lon, lat, VertexKind.BORDER_SIDE if kind == "border" else VertexKind.STATION, str(name) if name else None,
                  aliases, str(node_id) if node_id is not None else None, str(country).upper() if country else None, kind)


def _attrs(props: dict[str, Any], default_gauge: int | None) -> Attrs:
    if props.get("mode", "rail") != "rail":
        raise ValueError(f"mode '{show(str(props.get('mode')))}': only rail lines are imported (add other links in links.csv)")
    raw = props.get("gauge_mm", props.get("gauge"))
    gauge, why = T.gauge_mm(str(raw) if raw is not None else None, GAUGES_MM)
    if gauge is None and raw is None and default_gauge:
        gauge = (default_gauge,)
    if gauge is None:
        raise ValueError(f"{why}: give gauge_mm (1435, 1520 or 1435;1520) or --default-gauge")
    el = props.get("electrified")
    electrified = el if isinstance(el, bool) else T.electrified(str(el).lower()) if el is not None else None
    cap = props.get("capacity_trains_day")
    country = props.get("country")
    return Attrs(gauge, T.tracks(str(props["tracks"])) if props.get("tracks") is not None else None, electrified,
                 float(cap) if cap is not None else None, str(country).upper() if country else None)


def _line_pieces(i: int, points: list[tuple[float, float]], props: dict[str, Any], vertices: dict[int, Vertex], grid: _Grid,
                 default_gauge: int | None, speeds: T.SpeedRules) -> list[Piece]:
    if len(points) < 2:
        raise ValueError("a line needs at least 2 points")
    attrs = _attrs(props, default_gauge)
    cuts: list[tuple[int, Vertex]] = []
    for j, (lon, lat) in enumerate(points):
        v = grid.near(lon, lat)
        if v is None and j in (0, len(points) - 1):
            v = Vertex(-len(vertices) - 1, lon, lat)
            vertices[v.key] = v
            grid.add(v)
        if v is not None and (not cuts or cuts[-1][1] is not v):
            cuts.append((j, v))
    total = polyline_km(points)
    given_km = props.get("distance_km")
    scale = float(given_km) / total if given_km is not None and total > 0 else 1.0
    speed = props.get("speed_km_day")
    out = []
    for (j0, a), (j1, b) in zip(cuts, cuts[1:], strict=False):
        pts = [(a.lon, a.lat), *points[j0 + 1: j1], (b.lon, b.lat)]
        km = polyline_km(points[j0: j1 + 1]) * scale
        if speed is not None:
            hours, flags = km / float(speed) * 24.0, frozenset({"speed_given"})
        else:
            hours, flags = speeds.hours(km, T.maxspeed_kmh(str(props["maxspeed"])) if props.get("maxspeed") is not None else None)
        if km > 0:
            out.append(Piece(a.key, b.key, pts, km, hours, attrs, None, flags, (f"feature {i}",)))
    return out
