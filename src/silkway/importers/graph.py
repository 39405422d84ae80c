"""The raw track graph of an import and its contraction into links (pure: no I/O).

An importer (OSM, GeoJSON) turns its input into :class:`Vertex` es (places where the track may end, branch or be
named) and :class:`Piece` s (stretches of track between two vertices, with their points). :func:`contract` merges
chains of pieces through plain degree-2 vertices into one :class:`Chain` each, between junctions, stations, border
sides and the places where a link attribute (gauge, tracks, electrification) changes. Distances and times of a
chain are the exact sums of its pieces, so contraction never changes a route's length or moving time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from silkway.network.validate import components, great_circle_km

Point = tuple[float, float]  # (lon, lat)


class VertexKind(Enum):
    PLAIN = "plain"  # a point of the track where ways meet or end: kept only when not on a plain chain
    STATION = "station"  # a named place (OSM railway=station/halt/yard, a GeoJSON Point)
    BORDER = "border"  # an OSM railway=border point: becomes a border crossing between its two neighbours
    BORDER_SIDE = "border_side"  # one end of a border crossing link


@dataclass
class Vertex:
    key: int
    lon: float
    lat: float
    kind: VertexKind = VertexKind.PLAIN
    name: str | None = None
    aliases: tuple[str, ...] = ()
    node_id: str | None = None  # an id the input gives (GeoJSON); None = derived from the name or the key
    country: str | None = None  # a country the input gives; None = from boundaries or the default
    node_kind: str | None = None  # a silkway node kind the input gives


@dataclass(frozen=True)
class Attrs:
    """What a link holds constant along its length: a chain is cut where one of these changes."""

    gauge_mm: tuple[int, ...]
    tracks: int | None  # None = not given (a default is assumed when the link is written)
    electrified: bool | None  # None = not given
    capacity_trains_day: float | None = None  # given by a GeoJSON feature, else None
    country: str | None = None  # given by a GeoJSON feature, else None


@dataclass
class Piece:
    a: int
    b: int
    points: list[Point]  # from a to b, both ends included
    km: float  # along the points, great circles
    time_h: float  # commercial hours (the link's speed_km_day = km / time_h x 24)
    attrs: Attrs
    refs: list[int] | None = None  # the input's id of each point (OSM node ids), to split a piece at a point
    flags: frozenset[str] = frozenset()  # what was assumed on this piece (e.g. "speed_default")
    origin: tuple[str, ...] = ()  # the input features it came from (OSM way ids, GeoJSON feature numbers)


@dataclass
class Chain:
    a: int
    b: int
    points: list[Point]
    km: float
    time_h: float
    attrs: Attrs
    flags: frozenset[str]
    origin: tuple[str, ...]
    pieces: int = 1


@dataclass
class Contracted:
    vertices: dict[int, Vertex]  # the kept vertices only
    chains: list[Chain]
    dropped: list[str] = field(default_factory=list)  # what was left out and why, for the user's TODO list


def polyline_km(points: list[Point]) -> float:
    return sum(great_circle_km(p[1], p[0], q[1], q[0]) for p, q in itertools.pairwise(points))


def _reversed(p: Piece | Chain) -> tuple[list[Point], int, int]:
    return p.points[::-1], p.b, p.a


def contract(vertices: dict[int, Vertex], pieces: list[Piece]) -> Contracted:
    """Merge chains of pieces through plain degree-2 vertices whose two pieces have equal attributes."""
    pieces = [p for p in pieces if p.a != p.b or len(p.points) > 2]
    pieces = [half for p in pieces for half in (_split_loop(p, vertices) if p.a == p.b else (p,))]
    incident: dict[int, list[int]] = {}
    for i, p in enumerate(pieces):
        incident.setdefault(p.a, []).append(i)
        incident.setdefault(p.b, []).append(i)
    keep = {v for v, inc in incident.items() if _kept(vertices[v], inc, pieces)}
    used = [False] * len(pieces)
    chains: list[Chain] = []
    for start in (v for v in vertices if v in keep):  # the input's order: links run the way they were drawn
        for i in incident[start]:
            if not used[i]:
                chains.append(_walk(start, i, pieces, incident, keep, used))
    for i, p in enumerate(pieces):  # closed rings of plain vertices (no kept vertex): keep one vertex, walk the ring
        if not used[i]:
            keep.add(p.a)
            chains.append(_walk(p.a, i, pieces, incident, keep, used))
    out: list[Chain] = []
    for c in chains:
        out.extend(_split_self_loop(c, vertices, keep) if c.a == c.b else [c])
    return Contracted({k: vertices[k] for k in keep}, out)


def _kept(v: Vertex, inc: list[int], pieces: list[Piece]) -> bool:
    if v.kind is not VertexKind.PLAIN or len(inc) != 2:
        return True
    return pieces[inc[0]].attrs != pieces[inc[1]].attrs


def _walk(start: int, first: int, pieces: list[Piece], incident: dict[int, list[int]], keep: set[int], used: list[bool]) -> Chain:
    at, i = start, first
    points: list[Point] = []
    km = time_h = 0.0
    flags: set[str] = set()
    origin: list[str] = []
    n = 0
    while True:
        used[i] = True
        p = pieces[i]
        pts, nxt = (p.points, p.b) if p.a == at else (p.points[::-1], p.a)
        points.extend(pts if not points else pts[1:])
        km += p.km
        time_h += p.time_h
        flags |= p.flags
        origin.extend(o for o in p.origin if o not in origin)
        n += 1
        at = nxt
        if at in keep:
            return Chain(start, at, points, km, time_h, p.attrs, frozenset(flags), tuple(origin), n)
        i = next(j for j in incident[at] if not used[j])


def _split_loop(p: Piece, vertices: dict[int, Vertex]) -> tuple[Piece, Piece]:
    """A piece that starts and ends at one vertex, cut at its middle point (a link needs two ends)."""
    mid = len(p.points) // 2
    key = p.refs[mid] if p.refs else -(len(vertices) + 1)
    lon, lat = p.points[mid]
    vertices.setdefault(key, Vertex(key, lon, lat))
    return _cut(p, mid, key)


def _cut(p: Piece, at: int, key: int) -> tuple[Piece, Piece]:
    """``p`` cut at point index ``at`` (which becomes vertex ``key``); distance and time split in proportion."""
    first, second = p.points[: at + 1], p.points[at:]
    km1 = polyline_km(first)
    share = km1 / p.km if p.km > 0 else 0.5
    km2 = p.km - km1
    refs1, refs2 = (p.refs[: at + 1], p.refs[at:]) if p.refs else (None, None)
    return (Piece(p.a, key, first, km1, p.time_h * share, p.attrs, refs1, p.flags, p.origin),
            Piece(key, p.b, second, km2, p.time_h - p.time_h * share, p.attrs, refs2, p.flags, p.origin))


def cut_piece(p: Piece, at: int, vertices: dict[int, Vertex], kind: VertexKind = VertexKind.PLAIN) -> tuple[Piece, Piece]:
    """``p`` cut at its point ``at`` (0 < at < last), which becomes a vertex of ``kind`` (the input's id when known)."""
    key = p.refs[at] if p.refs else -(len(vertices) + 1)
    lon, lat = p.points[at]
    v = vertices.setdefault(key, Vertex(key, lon, lat))
    if v.kind is VertexKind.PLAIN:
        v.kind = kind
    return _cut(p, at, key)


def _split_self_loop(c: Chain, vertices: dict[int, Vertex], keep: set[int]) -> list[Chain]:
    """A chain that comes back to its start (a balloon loop): cut at its middle point into two links."""
    mid = len(c.points) // 2
    key = -(len(vertices) + 1)
    lon, lat = c.points[mid]
    vertices[key] = Vertex(key, lon, lat)
    keep.add(key)
    km1 = polyline_km(c.points[: mid + 1])
    share = km1 / c.km if c.km > 0 else 0.5
    return [Chain(c.a, key, c.points[: mid + 1], km1, c.time_h * share, c.attrs, c.flags, c.origin, c.pieces),
            Chain(key, c.b, c.points[mid:], c.km - km1, c.time_h - c.time_h * share, c.attrs, c.flags, c.origin, c.pieces)]


def largest_component(result: Contracted) -> Contracted:
    """Only the largest connected part (a dataset is one connected network); the rest is listed as dropped."""
    edges = [(c.a, c.b) for c in result.chains]
    comps = components(list(result.vertices), edges)
    if len(comps) <= 1:
        return result
    main = comps[0]
    left = [c for c in result.chains if c.a not in main]
    dropped = list(result.dropped)
    km = sum(c.km for c in left)
    dropped.append(f"{len(comps) - 1} part(s) not connected to the main network: {sum(map(len, comps[1:]))} node(s), "
                   f"{len(left)} link(s), {km:,.1f} km (left out; connect them in the input to keep them)")
    return Contracted({k: v for k, v in result.vertices.items() if k in main}, [c for c in result.chains if c.a in main], dropped)


def border_crossings(vertices: dict[int, Vertex], pieces: list[Piece]) -> tuple[list[Piece], list[str]]:
    """Each border point (a vertex of kind BORDER on two pieces) becomes one crossing piece between the next point on
    each side (two BORDER_SIDE vertices), through the border point: the two sides can then lie in two countries,
    each with its border facility, and the crossing's length is the exact sum of the two stretches it replaces.
    The crossing's gauge is the union of the two sides' gauges (dual gauge across a gauge break)."""
    incident: dict[int, list[int]] = {}
    for i, p in enumerate(pieces):
        incident.setdefault(p.a, []).append(i)
        incident.setdefault(p.b, []).append(i)
    notes: list[str] = []
    out = list(pieces)
    removed: set[int] = set()
    for key, v in [(k, v) for k, v in vertices.items() if v.kind is VertexKind.BORDER]:
        inc = [i for i in incident.get(key, []) if i not in removed]
        if len(inc) != 2:
            notes.append(f"border point '{v.name or key}' is on {len(inc)} track(s), not 2: kept as a plain node")
            v.kind = VertexKind.STATION if v.name else VertexKind.PLAIN
            continue
        sides = []
        for i in inc:
            p = out[i] if out[i].a == key else _flip(out[i])
            if len(p.points) > 2:
                near, rest = cut_piece(p, 1, vertices, VertexKind.BORDER_SIDE)
                out.append(rest)
                for end in (rest.a, rest.b):
                    incident.setdefault(end, []).append(len(out) - 1)
            else:
                near = p
                if vertices[p.b].kind is VertexKind.PLAIN:
                    vertices[p.b].kind = VertexKind.BORDER_SIDE
            sides.append(near)
            removed.add(i)
        (pa, pb) = sides
        if pa.b == pb.b:
            notes.append(f"border point '{v.name or key}' lies on a loop: kept as a plain node")
            out.extend(sides)
            continue
        for s in (pa, pb):
            vertices[s.b].name = vertices[s.b].name or v.name
            vertices[s.b].aliases = vertices[s.b].aliases or v.aliases
        out.append(Piece(pa.b, pb.b, pa.points[::-1] + pb.points[1:], pa.km + pb.km, pa.time_h + pb.time_h,
                         _merge(pa.attrs, pb.attrs), None, pa.flags | pb.flags | {"crossing"}, tuple(dict.fromkeys(pa.origin + pb.origin))))
        v.kind = VertexKind.PLAIN
    return [p for i, p in enumerate(out) if i not in removed], notes


def _flip(p: Piece) -> Piece:
    return Piece(p.b, p.a, p.points[::-1], p.km, p.time_h, p.attrs, p.refs[::-1] if p.refs else None, p.flags, p.origin)


def _merge(x: Attrs, y: Attrs) -> Attrs:
    tracks = None if x.tracks is None or y.tracks is None else min(x.tracks, y.tracks)
    electrified = None if x.electrified is None or y.electrified is None else (x.electrified and y.electrified)
    return Attrs(tuple(sorted(set(x.gauge_mm) | set(y.gauge_mm))), tracks, electrified,
                 None if x.capacity_trains_day is None or y.capacity_trains_day is None else min(x.capacity_trains_day, y.capacity_trains_day),
                 x.country if x.country == y.country else None)


def degree(pieces: Iterable[Piece]) -> dict[int, int]:
    out: dict[int, int] = {}
    for p in pieces:
        out[p.a] = out.get(p.a, 0) + 1
        out[p.b] = out.get(p.b, 0) + 1
    return out
