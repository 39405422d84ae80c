"""Read OSM rail from a ``.osm.pbf`` / ``.osm`` file with pyosmium into the raw track graph (the only I/O here).

One pass over the file: ``railway=rail`` ways (without ``service``, ``usage`` not tourism/military/test) with their
node locations, station and border nodes, and the ``admin_level=2`` boundaries that carry ``ISO3166-1:alpha2``
(to put each node in its country). Ways are cut into pieces at the nodes where ways meet, end, or a station or
border point lies; :mod:`silkway.importers.graph` contracts them.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from silkway.errors import SilkwayError
from silkway.importers import tags as T
from silkway.importers.graph import Attrs, Piece, Vertex, VertexKind, polyline_km
from silkway.network.schema import GAUGES_MM
from silkway.network.validate import great_circle_km

Ring = list[tuple[float, float]]


@dataclass
class Boundary:
    country: str  # ISO 3166-1 alpha-2
    outer: list[Ring]
    inner: list[Ring]


@dataclass
class RawGraph:
    vertices: dict[int, Vertex]
    pieces: list[Piece]
    boundaries: list[Boundary] = field(default_factory=list)
    date: str | None = None  # the extract's date YYYY-MM-DD (header replication timestamp, else its newest object)
    notes: list[str] = field(default_factory=list)  # what was skipped, for the user's TODO list


@dataclass
class _Way:
    way_id: int
    refs: list[int]
    points: list[tuple[float, float]]
    attrs: Attrs
    speed_kmh: float | None


def read_osm(path: str | os.PathLike[str], default_gauge: int | None = None, snap_km: float = 0.5,
             speeds: T.SpeedRules = T.DEFAULT_SPEEDS) -> RawGraph:
    """The rail of an OSM file as vertices and pieces; a :class:`SilkwayError` when the file cannot be read."""
    import osmium  # an import dependency only: `silkway --help` and the other commands never load it

    file = Path(path)
    if not file.is_file():
        raise SilkwayError(f"{file}: no such file (an OpenStreetMap extract .osm.pbf or .osm)")
    stations: dict[int, tuple[float, float, dict[str, str], VertexKind]] = {}
    ways: list[_Way] = []
    boundaries: list[Boundary] = []
    skipped: Counter[str] = Counter()
    newest = None
    try:
        header = osmium.io.Reader(str(file), osmium.osm.osm_entity_bits.NOTHING)
        stamp = header.header().get("osmosis_replication_timestamp") or header.header().get("timestamp")
        header.close()
        obj: Any  # osmium yields nodes, ways, relations and areas; each branch tests which
        for obj in osmium.FileProcessor(str(file)).with_locations().with_areas():
            if obj.is_area():
                b = _boundary(obj)
                if b:
                    boundaries.append(b)
                continue
            if obj.is_node():
                kind = _node_kind(obj.tags)
                if kind:
                    stations[obj.id] = (obj.location.lon, obj.location.lat, dict(obj.tags), kind)
                continue
            if obj.is_way() and obj.tags.get("railway") == "rail":
                w = _way(obj, default_gauge, skipped)
                if w:
                    ways.append(w)
                    ts = obj.timestamp
                    if ts and ts.year > 1970 and (newest is None or ts > newest):
                        newest = ts
    except RuntimeError as exc:  # libosmium's errors: not an OSM file, truncated, unknown format
        raise SilkwayError(f"{file}: cannot be read as an OpenStreetMap file: {exc}") from None
    if not ways:
        raise SilkwayError(f"{file}: no usable railway=rail way found ({_skipped_text(skipped) or 'the file has none'})")
    date = _date(stamp) or (newest.astimezone(UTC).date().isoformat() if newest else None)
    vertices, pieces, notes = _pieces(ways, stations, snap_km, speeds)
    if skipped:
        notes.insert(0, f"ways left out: {_skipped_text(skipped)}")
    return RawGraph(vertices, pieces, boundaries, date, notes)


def _skipped_text(skipped: Counter[str]) -> str:
    return "; ".join(f"{n} with {why}" for why, n in skipped.most_common())


def _date(stamp: str | None) -> str | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _node_kind(tags) -> VertexKind | None:
    rw = tags.get("railway")
    if rw == "border":
        return VertexKind.BORDER
    if rw in T.STATION_VALUES and (tags.get("name") or tags.get("name:en")):
        return VertexKind.STATION
    return None


def _boundary(area) -> Boundary | None:
    tags = area.tags
    code = tags.get("ISO3166-1:alpha2") or tags.get("ISO3166-1")
    if tags.get("boundary") != "administrative" or tags.get("admin_level") != "2" or not code or len(code) != 2:
        return None
    outer: list[Ring] = []
    inner: list[Ring] = []
    for ring in area.outer_rings():
        outer.append([(n.lon, n.lat) for n in ring])
        inner.extend([(n.lon, n.lat) for n in r] for r in area.inner_rings(ring))
    return Boundary(code.upper(), outer, inner)


def _way(obj, default_gauge: int | None, skipped: Counter[str]) -> _Way | None:
    tags = obj.tags
    if tags.get("service"):
        skipped[f"service={tags.get('service')}"] += 1
        return None
    if tags.get("usage") in T.SKIPPED_USAGE:
        skipped[f"usage={tags.get('usage')}"] += 1
        return None
    gauge, why = T.gauge_mm(tags.get("gauge"), GAUGES_MM)
    if gauge is None and why == "no gauge tag" and default_gauge:
        gauge = (default_gauge,)
    if gauge is None:
        skipped[(why or "no gauge") + (" (give --default-gauge)" if why == "no gauge tag" else "")] += 1
        return None
    refs, points = [], []
    for n in obj.nodes:
        if not n.location.valid():
            skipped["nodes missing from the extract"] += 1
            return None
        refs.append(n.ref)
        points.append((n.location.lon, n.location.lat))
    if len(refs) < 2:
        return None
    attrs = Attrs(gauge, T.tracks(tags.get("tracks")), T.electrified(tags.get("electrified")))
    return _Way(obj.id, refs, points, attrs, T.maxspeed_kmh(tags.get("maxspeed")))


def _pieces(ways: list[_Way], stations: dict, snap_km: float, speeds: T.SpeedRules) -> tuple[dict[int, Vertex], list[Piece], list[str]]:
    uses: Counter[int] = Counter()
    for w in ways:
        uses.update(w.refs[1:-1])
        uses.update((w.refs[0], w.refs[-1]))
        uses.update((w.refs[0], w.refs[-1]))  # a way's end is a vertex even when no other way touches it
    vertices: dict[int, Vertex] = {}
    notes: list[str] = []
    on_track = {r for w in ways for r in w.refs}
    snapped = _snap(ways, {k: v for k, v in stations.items() if k not in on_track and v[3] is VertexKind.STATION}, snap_km, notes)
    for ref, (lon, lat, tags, kind) in stations.items():
        target = ref if ref in on_track else snapped.get(ref)
        if target is None:
            continue
        name, aliases = T.display_name(tags)
        v = vertices.setdefault(target, Vertex(target, lon, lat))
        v.kind, v.name, v.aliases = kind, name, aliases
    for w in ways:
        for ref, (lon, lat) in zip(w.refs, w.points, strict=True):
            if (uses[ref] >= 2 or ref in vertices) and ref not in vertices:
                vertices[ref] = Vertex(ref, lon, lat)
            elif ref in vertices and (vertices[ref].lon, vertices[ref].lat) != (lon, lat):
                vertices[ref].lon, vertices[ref].lat = lon, lat  # a snapped station sits on the track
    pieces: list[Piece] = []
    for w in ways:
        start = 0
        for i in range(1, len(w.refs)):
            if w.refs[i] in vertices:
                pts = w.points[start: i + 1]
                km = polyline_km(pts)
                hours, flags = speeds.hours(km, w.speed_kmh)
                pieces.append(Piece(w.refs[start], w.refs[i], pts, km, hours, w.attrs, w.refs[start: i + 1], flags, (f"w{w.way_id}",)))
                start = i
    return vertices, pieces, notes


def _snap(ways: list[_Way], off: dict, snap_km: float, notes: list[str]) -> dict[int, int]:
    """Stations drawn beside the track → the nearest track node within ``snap_km`` (a grid of 0.05° cells)."""
    if not off:
        return {}
    refs = np.array([r for w in ways for r in w.refs], dtype=np.int64)
    xy = np.array([p for w in ways for p in w.points], dtype=np.float64)
    cell = 0.05
    cx, cy = np.floor(xy[:, 0] / cell).astype(np.int64), np.floor(xy[:, 1] / cell).astype(np.int64)
    key = cx * 100_000 + cy
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    out: dict[int, int] = {}
    missed = []
    for sid, (lon, lat, tags, _kind) in off.items():
        x, y = int(np.floor(lon / cell)), int(np.floor(lat / cell))
        best, best_km = None, snap_km
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                k = (x + dx) * 100_000 + (y + dy)
                lo, hi = np.searchsorted(key_sorted, k), np.searchsorted(key_sorted, k, side="right")
                for j in order[lo:hi]:
                    d = great_circle_km(lat, lon, xy[j, 1], xy[j, 0])
                    if d <= best_km:
                        best, best_km = int(refs[j]), d
        if best is None:
            missed.append(T.display_name(tags)[0] or str(sid))
        else:
            out[sid] = best
    if missed:
        notes.append(f"{len(missed)} station(s) more than {snap_km:g} km from any imported track, left out: {', '.join(missed[:20])}"
                     + (" …" if len(missed) > 20 else ""))
    return out
