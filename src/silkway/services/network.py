"""Network use cases: load, validate, summarise, export."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from silkway.errors import DataError, Problem
from silkway.network import Network, Node
from silkway.network.cache import default_cache
from silkway.network.dataset import read_dated_dataset
from silkway.network.dates import Change, changes, parse_as_of
from silkway.network.dates import show_value as show_value  # re-exported: how the CLI prints a changed value
from silkway.network.places import country_name, network_countries, search_places
from silkway.services._paths import OptPath


def load(dataset: OptPath = None, as_of: date | str | None = None) -> Network:
    """The network of a dataset folder as of a date (default: the dataset's reference date)."""
    day = parse_as_of(as_of)  # a bad date fails before any file is read
    return load_dated(dataset).at(day)


def load_dated(dataset: OptPath = None) -> Network:
    """Every dated row of a dataset folder (take snapshots with ``Network.at(day)``), from the compiled cache when the
    files have not changed since they last passed validation (:mod:`silkway.network.cache`; ``SILKWAY_CACHE_DIR``)."""
    return read_dated_dataset(dataset, cache=default_cache())


def dated_changes(dataset: OptPath, before: date | str, after: date | str) -> list[Change]:
    """Rows added, removed or changed between two dates (``silkway network --changes``)."""
    a, b = parse_as_of(before, "first date"), parse_as_of(after, "second date")
    assert a is not None and b is not None
    return changes(load_dated(dataset), a, b)


def validate(dataset: OptPath = None) -> list[Problem]:
    """All problems of a dataset folder (empty list when valid), with its candidate projects when it has them."""
    try:
        net = load(dataset)
    except DataError as exc:
        return list(exc.problems)
    from silkway.services.projects import validate_projects

    return validate_projects(dataset, net)


def check_demand(dataset: OptPath) -> int | None:
    """The number of flows of the dataset folder's own ``demand.csv`` (None when it has none), checked as ``simulate``
    reads it (places against every node the dated network ever has, numbers finite and bounded): ``validate`` and
    ``simulate`` accept the same files. Raises the demand file's :class:`DataError`."""
    if dataset is None or not (Path(dataset) / "demand.csv").exists():
        return None
    from silkway.simulation.demand_io import read_demand  # the simulation stack, only when there is demand to check

    return len(read_demand(dataset, read_dated_dataset(dataset)).flows)


def find_places(net: Network, query: str, limit: int = 10) -> list[Node]:
    """Places whose id, name or alias matches ``query`` (case, accents and punctuation ignored), best first."""
    return search_places(net, query, limit=limit)


@dataclass(frozen=True)
class NetworkSummary:
    name: str
    version: str
    as_of: str | None
    reference_date: str | None
    n_nodes: int
    n_links: int
    n_facilities: int
    n_sources: int
    n_assumptions: int
    nodes_by_country: dict[str, int]
    links_by_mode: dict[str, int]
    km_by_mode: dict[str, float]
    links_by_country: dict[str, int]
    gauge_breaks: list[str]  # nodes with a gauge-changing facility
    facilities: list[dict[str, Any]] = field(default_factory=list)
    # every country a route can touch (nodes, links and the countries links only cross, e.g. EG for Suez), code → name
    countries: dict[str, str] = field(default_factory=dict)


def summarize(net: Network) -> NetworkSummary:
    breaks = sorted({f.node_id for f in net.facilities if f.changes_gauge})
    km: dict[str, float] = defaultdict(float)  # distance_km per mode
    for lk in net.links:
        km[lk.mode] += lk.distance_km
    facilities = [
        {
            "facility_id": f.facility_id,
            "node": net.node_by_id[f.node_id].name,
            "kind": f.facility_kind,
            "capacity_trains_day": f.capacity_trains_day,
            "capacity_teu_day": f.capacity_teu_day,
            "handling_h_median": f.handling_h_median,
            "customs_h_median": f.customs_h_median,
        }
        for f in net.facilities
    ]
    return NetworkSummary(
        name=net.manifest.name,
        version=net.manifest.version,
        as_of=net.as_of.isoformat() if net.as_of else None,
        reference_date=net.manifest.reference_date.isoformat() if net.manifest.reference_date else None,
        n_nodes=len(net.nodes),
        n_links=len(net.links),
        n_facilities=len(net.facilities),
        n_sources=sum(1 for s in net.sources if s.kind == "source"),
        n_assumptions=sum(1 for s in net.sources if s.kind == "assumption"),
        nodes_by_country=dict(sorted(Counter(n.country for n in net.nodes).items())),
        links_by_mode=dict(sorted(Counter(lk.mode for lk in net.links).items())),
        km_by_mode={k: round(v, 1) for k, v in sorted(km.items())},
        links_by_country=dict(sorted(Counter(lk.country for lk in net.links).items())),
        gauge_breaks=breaks,
        facilities=facilities,
        countries={c: country_name(c) for c in sorted(network_countries(net))},
    )


def to_geojson(net: Network, nested: bool = False) -> dict[str, Any]:
    """The network as a GeoJSON FeatureCollection (nodes as Points, links as LineStrings: a link's geometry
    when it has one, e.g. a sea lane, else the straight line between its nodes).

    Properties are flat (numbers and text only, lists joined with ';'), so GIS tools such as QGIS read each as a
    column; a node's facilities become ``facility_ids``, ``facility_kinds`` and their largest capacities.
    ``nested=True`` keeps lists and per-facility records (the web map reads that form)."""
    feats: list[dict[str, Any]] = []
    for n in net.nodes:
        fac = net.facilities_at.get(n.node_id, ())
        props: dict[str, Any] = {"kind": "node", "id": n.node_id, "name": n.name, "country": n.country, "node_kind": n.node_kind}
        if nested:
            props |= {"aliases": list(n.aliases),
                      "facilities": [{"id": f.facility_id, "kind": f.facility_kind, "capacity_trains_day": f.capacity_trains_day,
                                      "capacity_teu_day": f.capacity_teu_day} for f in fac]}
        else:
            props |= {"aliases": ";".join(n.aliases), "facility_ids": ";".join(f.facility_id for f in fac),
                      "facility_kinds": ";".join(f.facility_kind for f in fac),
                      "capacity_trains_day": _largest(f.capacity_trains_day for f in fac),
                      "capacity_teu_day": _largest(f.capacity_teu_day for f in fac)}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [n.lon, n.lat]}, "properties": props})
    for lk in net.links:
        gauge, corridor = list(lk.gauge_mm), list(lk.corridor)
        feats.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in net.line_of(lk)]},
            "properties": {
                "kind": "link", "id": lk.link_id, "from": lk.from_node, "to": lk.to_node, "mode": lk.mode,
                "gauge_mm": gauge if nested else ";".join(map(str, gauge)), "tracks": lk.tracks, "country": lk.country,
                "corridor": corridor if nested else ";".join(corridor), "distance_km": lk.distance_km,
                "capacity_trains_day": lk.capacity_trains_day, "departures_per_week": lk.departures_per_week,
            },
        })
    return {"type": "FeatureCollection", "name": net.manifest.name, "as_of": net.as_of.isoformat() if net.as_of else None,
            "features": feats}


def to_gpkg(net: Network, out: str | os.PathLike[str]) -> tuple[Path, int]:
    """Write the network's flat GeoJSON features as a GeoPackage (layers nodes, links); returns (file, feature count)."""
    from silkway.network.gpkg import write_gpkg

    feats = to_geojson(net)["features"]
    return write_gpkg(feats, out), len(feats)


def to_geoparquet(net: Network, out_dir: str | os.PathLike[str]) -> tuple[list[Path], int]:
    """Write the network's flat GeoJSON features as GeoParquet, ``nodes.parquet`` (points) and ``links.parquet``
    (lines) in ``out_dir``; returns (files, feature count)."""
    from silkway.network.geoparquet import features_table, write_geoparquet

    feats = to_geojson(net)["features"]
    files = []
    for layer, kind in (("nodes", "node"), ("links", "link")):
        table, geometries = features_table([f for f in feats if f["properties"]["kind"] == kind])
        files.append(write_geoparquet(table, geometries, Path(out_dir) / f"{layer}.parquet"))
    return files, len(feats)


def _largest(values: Any) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None
