"""silkway import geojson: links drawn in a GIS, nodes from Points or inferred at line ends."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.cli import app
from silkway.errors import SilkwayError
from silkway.importers.graph import polyline_km
from silkway.network import read_dataset
from silkway.services import importing as svc

LINES = [  # (coordinates, properties)
    ([[80.0, 44.0], [80.5, 44.05], [81.0, 44.0]], {"gauge_mm": 1435, "tracks": 2, "electrified": True, "maxspeed": 120}),
    ([[81.0, 44.0], [81.1, 44.0]], {"gauge_mm": "1435;1520", "tracks": 1}),
    ([[81.1, 44.0], [81.6, 44.1], [82.0, 44.0]], {"gauge_mm": 1520, "tracks": 1, "maxspeed": 80}),  # two pieces of one chain:
    ([[82.0, 44.0], [82.5, 44.0], [83.0, 44.1]], {"gauge_mm": 1520, "tracks": 1, "maxspeed": 80}),  # no Point at 82.0 44.0
    ([[83.0, 44.1], [83.5, 44.1]], {"gauge_mm": 1520, "tracks": 1, "speed_km_day": 600, "capacity_trains_day": 20}),
]
POINTS = [
    ([80.0, 44.0], {"name": "West", "country": "CN", "node_kind": "terminal"}),
    ([81.0, 44.0], {"name": "Gate CN", "node_id": "gate_cn", "country": "CN", "node_kind": "border"}),
    ([81.1, 44.0], {"name": "Gate KZ", "node_id": "gate_kz", "country": "KZ", "node_kind": "border"}),
    ([82.5, 44.0003], {"name": "Mid", "country": "KZ", "aliases": "Midway;Middle"}),  # on the 4th line's inner vertex
    ([83.5, 44.1], {"name": "East", "country": "KZ"}),
]


def layer(path: Path, lines=LINES, points=POINTS) -> Path:
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": c}, "properties": p} for c, p in points]
    feats += [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": c}, "properties": p} for c, p in lines]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> svc.ImportReport:
    folder = tmp_path_factory.mktemp("gj")
    return svc.import_geojson(layer(folder / "net.geojson"), svc.ImportOptions(folder / "out", date="2026-11-01"))


def test_the_layer_imports_and_validates(imported):
    assert imported.problems == ()
    net = read_dataset(imported.folder)
    named = {"west", "gate_cn", "gate_kz", "mid", "east"}
    inferred = [n for n in net.nodes if n.node_id not in named]
    assert {n.node_id for n in net.nodes} >= named
    # 82.0 44.0, where lines 3 and 4 meet with equal attributes, is contracted away; 83.0 44.1 stays: line 5 has a capacity
    assert [(n.lon, n.lat, n.node_kind) for n in inferred] == [(83.0, 44.1, "junction")]
    assert len(net.links) == 5


def test_contraction_keeps_the_distances_of_the_drawn_lines(imported):
    links = {frozenset((r["from_node"], r["to_node"])): float(r["distance_km"]) for r in rows(imported.folder, "links")}
    drawn = [polyline_km([tuple(p) for p in c]) for c, _ in LINES]
    assert math.isclose(sum(links.values()), sum(drawn), rel_tol=1e-12)
    assert math.isclose(links[frozenset(("gate_kz", "mid"))], drawn[2] + polyline_km([(82.0, 44.0), (82.5, 44.0)]), rel_tol=1e-12)


def test_properties_become_columns_with_the_layer_as_source(imported):
    links = {frozenset((r["from_node"], r["to_node"])): r for r in rows(imported.folder, "links")}
    last = next(r for k, r in links.items() if "east" in k)
    assert (last["capacity_trains_day"], last["speed_km_day"], last["speed_km_day_src"]) == ("20", "600", "S-geojson-2026-11-01")
    west = links[frozenset(("west", "gate_cn"))]
    assert (west["gauge_mm"], west["tracks"], west["energy"], west["speed_km_day"]) == ("1435", "2", "electric", "960")
    nodes = {r["node_id"]: r for r in rows(imported.folder, "nodes")}
    assert nodes["mid"]["aliases"] == "Midway;Middle" and nodes["west"]["node_kind"] == "terminal"
    assert {r["source_id"] for r in rows(imported.folder, "sources")} >= {"S-geojson-2026-11-01"}


def test_countries_that_differ_across_a_line_make_a_border_crossing(imported):
    fac = {(r["node_id"], r["facility_kind"]) for r in rows(imported.folder, "facilities")}
    assert {("gate_cn", "border"), ("gate_kz", "border"), ("gate_cn", "gauge_change")} <= fac


def test_a_given_speed_and_capacity_are_kept_with_the_layer_as_source(tmp_path):
    lines = [LINES[4], ([[83.5, 44.1], [84.0, 44.1]], {"gauge_mm": 1520, "tracks": 1})]
    points = [([83.0, 44.1], {"name": "A", "country": "KZ"}), ([83.5, 44.1], {"name": "B", "country": "KZ"}),
              ([84.0, 44.1], {"name": "C", "country": "KZ"})]
    report = svc.import_geojson(layer(tmp_path / "l.geojson", lines, points), svc.ImportOptions(tmp_path / "o", date="2026-11-01"))
    assert report.problems == ()
    ab = next(r for r in rows(report.folder, "links") if {r["from_node"], r["to_node"]} == {"a", "b"})
    assert (ab["speed_km_day"], ab["speed_km_day_src"]) == ("600", "S-geojson-2026-11-01")
    assert (ab["capacity_trains_day"], ab["capacity_trains_day_src"]) == ("20", "S-geojson-2026-11-01")


def test_bad_features_are_listed_together(tmp_path):
    lines = [([[80.0, 44.0], [81.0, 44.0]], {"tracks": 1}), ([[81.0, 44.0], [999, 44.0]], {"gauge_mm": 1520}),
             ([[81.0, 44.0], [82.0, 44.0]], {"gauge_mm": 1520, "mode": "ferry"})]
    with pytest.raises(SilkwayError) as err:
        svc.import_geojson(layer(tmp_path / "bad.geojson", lines, []), svc.ImportOptions(tmp_path / "o", country="KZ"))
    text = str(err.value)
    assert "3 problem(s)" in text and "feature 1: no gauge tag" in text and "feature 2: coordinate 999" in text and "feature 3: mode 'ferry'" in text


def test_not_geojson_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.geojson"
    bad.write_text("{not json", encoding="utf-8")
    res = CliRunner().invoke(app, ["import", "geojson", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "not valid GeoJSON" in res.output and "Traceback" not in res.output
