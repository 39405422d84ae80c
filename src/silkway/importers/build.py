"""Contracted track → a silkway :class:`Network` with every value sourced, and the list of what the user must fill.

Pure: the caller gives the origin (the extract and its date) and the reference rows (emission factors, cost rates,
parameters) copied from a dataset, and writes the result. The assumptions are ``A-import-*`` source rows; each value's
source column names the one it rests on, and docs/import.md explains them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from silkway.importers.countries import Area, assign
from silkway.importers.graph import Chain, Contracted, VertexKind
from silkway.network.model import CostRate, EmissionFactor, Facility, Link, Manifest, Network, Node, Param, Source
from silkway.network.validate import GEOMETRY_END_KM, MIN_DETOUR, components, great_circle_km, polyline_km

P90_SINGLE, P90_DOUBLE = 1.5, 1.3
DEFAULT_TRACKS = 1


@dataclass(frozen=True)
class Origin:
    """Where the imported values come from: one ``sources.csv`` row."""

    source_id: str
    publisher: str
    title: str
    date: str  # YYYY-MM-DD
    locator: str
    note: str
    licence: str
    name: str  # the dataset's name


@dataclass(frozen=True)
class Reference:
    """Rows a dataset needs that no map holds: copied from a reference dataset with the sources they cite."""

    emission_factors: tuple[EmissionFactor, ...]
    cost_rates: tuple[CostRate, ...]
    params: tuple[Param, ...]
    sources: tuple[Source, ...]
    label: str


def assumptions(speeds) -> dict[str, str]:
    return {
        "A-import-commercial-speed": f"commercial speed = {speeds.commercial_share:g} x the line speed: a block train on lines "
                                  f"signed 80-120 km/h makes 800-1,200 km/day in Kazakhstan (corridor facts: Qazinform 2025, CFTS 2017)",
        "A-import-freight-cap": f"moving speed = the way's maxspeed, at most {speeds.freight_cap_kmh:g} km/h (container block trains)",
        "A-import-speed-default": f"{speeds.default_kmh:g} km/h where a way has no usable maxspeed tag (a typical mainline freight limit)",
        "A-import-tracks-default": f"{DEFAULT_TRACKS} track where a way has no tracks tag: the lower capacity, to be checked",
        "A-import-p90": f"P90/median moving time {P90_SINGLE:g} on single track and {P90_DOUBLE:g} on double (as the eurasia dataset's "
                     "A-p90-rail-single and A-p90-rail)",
    }


@dataclass
class Built:
    network: Network
    todo: list[str] = field(default_factory=list)  # what to fill in, one line each
    assumed: list[str] = field(default_factory=list)  # which defaults stand in for missing tags, one line each
    left_out: list[str] = field(default_factory=list)


def build(result: Contracted, boundaries: Sequence[Area], origin: Origin, reference: Reference, speeds,
          default_country: str | None, link_prefix: str = "rail_") -> Built:
    crossing = {i for i, c in enumerate(result.chains) if _crosses(result, c)}
    given = {k: (v.lon, v.lat, v.country) for k, v in result.vertices.items()}
    inner = [(c.a, c.b) for i, c in enumerate(result.chains) if i not in crossing]
    country, unplaced = assign(given, inner, boundaries, default_country)
    if unplaced:
        from silkway.errors import SilkwayError

        raise SilkwayError(f"cannot tell the country of {len(unplaced)} node(s) (e.g. at lon/lat "
                           f"{result.vertices[unplaced[0]].lon:.4f} {result.vertices[unplaced[0]].lat:.4f}): the extract has no "
                           "admin_level=2 boundary with ISO3166-1:alpha2 around them; give --country XX")
    ids = _node_ids(result, country)
    nodes = tuple(_node(result.vertices[k], ids[k], country[k], origin) for k in sorted(result.vertices, key=lambda k: ids[k]))
    used: Counter[str] = Counter()
    links = tuple(_link(f"{link_prefix}{i + 1}", c, ids, country, result, origin, used) for i, c in enumerate(result.chains))
    facilities, fac_todo = _facilities(links, {n.node_id: n for n in nodes})
    texts = assumptions(speeds)
    sources = (Source(origin.source_id, "source", origin.publisher, origin.title, origin.date, origin.locator, origin.note),
               *(Source(sid, "assumption", note=texts[sid]) for sid in sorted(used)), *reference.sources)
    countries = {n.country for n in nodes}
    rates = tuple(r for r in reference.cost_rates if r.mode == "rail" and (r.country in countries or r.country == "*"))
    net = Network(
        manifest=Manifest(origin.name, f"import-{origin.date}", origin.date, origin.licence,
                          f"Rail network imported from {origin.title} ({origin.date}) by silkway import; see TODO.md"),
        sources=sources, nodes=nodes, links=links, facilities=facilities,
        emission_factors=tuple(e for e in reference.emission_factors if e.mode == "rail"), cost_rates=rates, params=reference.params)
    todo = [f"links.csv capacity_trains_day: empty on {sum(lk.capacity_trains_day is None for lk in links)} of {len(links)} links "
            "(the input has no line capacity; routing does not need it, the simulation and `silkway capacity` do)", *fac_todo,
            "demand: none (silkway simulate needs a demand table, see docs/simulation.md)",
            f"emission_factors.csv, cost_rates.csv, params.csv: copied from {reference.label} with the sources they cite; check they fit"]
    assumed = [f"{sid}: {n} value(s): {texts[sid]}" for sid, n in sorted(used.items())]
    return Built(net, todo, assumed, list(result.dropped))


def _crosses(result: Contracted, c: Chain) -> bool:
    return "crossing" in c.flags or (result.vertices[c.a].country is not None and result.vertices[c.b].country is not None
                                      and result.vertices[c.a].country != result.vertices[c.b].country)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def _node_ids(result: Contracted, country: dict[int, str]) -> dict[int, str]:
    wanted: dict[int, str] = {}
    for k, v in result.vertices.items():
        base = v.node_id or (slug(v.name) if v.name else "")
        if v.kind is VertexKind.BORDER_SIDE and not v.node_id:
            base = f"{base or 'border'}_{country[k].lower()}"
        wanted[k] = base or f"n{abs(k)}"
    counts = Counter(wanted.values())
    return {k: (w if counts[w] == 1 or result.vertices[k].node_id else f"{w}_{abs(k)}") for k, w in wanted.items()}


def _node(v, node_id: str, country: str, origin: Origin) -> Node:
    kind = v.node_kind or {VertexKind.STATION: "city", VertexKind.BORDER_SIDE: "border"}.get(v.kind, "junction")
    name = v.name or f"Junction {abs(v.key)}"
    if v.kind is VertexKind.BORDER_SIDE and not v.node_id:
        name = f"{name} ({country})"  # the two sides of one border point
    return Node(node_id, name, country, v.lat, v.lon, kind, aliases=v.aliases, src=(("coord_src", (origin.source_id,)),))


def _link(link_id: str, c: Chain, ids: dict[int, str], country: dict[int, str], result: Contracted, origin: Origin, used: Counter) -> Link:
    a, b = result.vertices[c.a], result.vertices[c.b]
    s = origin.source_id
    tracks = c.attrs.tracks
    tracks_src = (s,)
    if tracks is None:
        tracks, tracks_src = DEFAULT_TRACKS, ("A-import-tracks-default",)
    speed_src = [s]
    if "speed_from_line" in c.flags:
        speed_src += ["A-import-freight-cap", "A-import-commercial-speed"]
    if "speed_default" in c.flags:
        speed_src.append("A-import-speed-default")
    speed = round(c.km / c.time_h * 24.0, 6)  # to the µkm/day: no 599.9999999999999 from a given 600
    src = [("tracks_src", tracks_src), ("distance_km_src", (s,)), ("speed_km_day_src", tuple(speed_src)),
           ("time_p90_factor_src", ("A-import-p90",))]
    if c.attrs.capacity_trains_day is not None:
        src.append(("capacity_trains_day_src", (s,)))
    for ids_ in (tracks_src, tuple(speed_src), ("A-import-p90",)):
        used.update(i for i in ids_ if i.startswith("A-import-"))
    more = f" (+{len(c.origin) - 6} more)" if len(c.origin) > 6 else ""
    return Link(link_id, ids[c.a], ids[c.b], "rail", "electric" if c.attrs.electrified else "diesel",
                c.attrs.country or country[c.a], c.km, speed, P90_SINGLE if tracks == 1 else P90_DOUBLE, gauge_mm=c.attrs.gauge_mm,
                tracks=float(tracks), electrified=c.attrs.electrified, capacity_trains_day=c.attrs.capacity_trains_day,
                geometry=map_line(c.points, (a.lon, a.lat), (b.lon, b.lat)), note=f"from {' '.join(c.origin[:6])}{more}", src=tuple(src))


def map_line(points: list[tuple[float, float]], a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """The polyline as the dataset writes it (0.01°, repeated points dropped), or () when at that precision it would
    not pass the geometry rule (a short link is then drawn as the straight line, the same at map scale)."""
    out: list[tuple[float, float]] = []
    for lon, lat in points:
        p = (round(lon, 2), round(lat, 2))
        if not out or out[-1] != p:
            out.append(p)
    if len(points) <= 2 or len(out) < 2:
        return ()  # a straight line: the map draws it between the nodes
    return tuple(out) if _fits(out, a, b) else ()


def _fits(line: list[tuple[float, float]], a: tuple[float, float], b: tuple[float, float]) -> bool:
    ends = max(great_circle_km(line[0][1], line[0][0], a[1], a[0]), great_circle_km(line[-1][1], line[-1][0], b[1], b[0]))
    gc = great_circle_km(a[1], a[0], b[1], b[0])
    return ends <= GEOMETRY_END_KM and polyline_km(line) >= MIN_DETOUR * gc - 1.0


def _facilities(links: tuple[Link, ...], nodes: dict[str, Node]) -> tuple[tuple[Facility, ...], list[str]]:
    """A border facility at both ends of every link between two countries; a gauge-change yard (both ways) where
    1435 and 1520 mm single-gauge track meet (at a node or across dual-gauge links). Their figures are left empty."""
    border: list[str] = []
    for lk in links:
        if nodes[lk.from_node].country != nodes[lk.to_node].country:
            border += [n for n in (lk.from_node, lk.to_node) if n not in border]
    singles: dict[str, set[int]] = {}
    for lk in links:
        if len(lk.gauge_mm) == 1:
            for n in (lk.from_node, lk.to_node):
                singles.setdefault(n, set()).add(lk.gauge_mm[0])
    dual = [(lk.from_node, lk.to_node) for lk in links if len(lk.gauge_mm) > 1]
    rank = {n: i for i, n in enumerate(nodes)}
    yards = []
    for group in components(list(nodes), dual):
        if len(set().union(*(singles.get(n, set()) for n in group))) > 1:
            yards.append(min(group, key=rank.__getitem__))
    fac = [Facility(f"border_{n}", n, "border") for n in border]
    fac += [Facility(f"gauge_{n}", n, "gauge_change", gauges=(1435, 1520)) for n in yards]
    todo = []
    if border:
        todo.append(f"facilities.csv: {len(border)} border facilit(y/ies) ({', '.join(f'border_{n}' for n in border[:10])}"
                    f"{' …' if len(border) > 10 else ''}) without capacity, handling or customs hours (routing counts 0 h there)")
    if yards:
        todo.append(f"facilities.csv: {len(yards)} gauge-change yard(s) ({', '.join(f'gauge_{n}' for n in yards[:10])}"
                    f"{' …' if len(yards) > 10 else ''}) without capacity or handling hours (routing counts 0 h there)")
    todo.append("facilities.csv: no terminals, dry ports or seaports are known from the map: add those where cargo is loaded")
    return tuple(fac), todo
