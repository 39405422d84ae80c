"""silkway import osm on a tiny extract written by the test (osm_fixture.py): contraction keeps distance sums,
gauges map to gauge_mm, the border point becomes a crossing between two countries, the result validates and routes."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from osm_fixture import DATE, MAIN_WAYS, WAYS, way_km, write
from typer.testing import CliRunner

from silkway.cli import app
from silkway.errors import SilkwayError
from silkway.network import read_dataset
from silkway.services import importing as svc

pytest.importorskip("osmium")


@pytest.fixture(scope="module", params=["x.osm.pbf", "x.osm"])
def imported(request, tmp_path_factory) -> tuple[Path, svc.ImportReport]:
    folder = tmp_path_factory.mktemp("osm")
    extract = write(folder / request.param)
    return extract, svc.import_osm(extract, svc.ImportOptions(folder / "out"))


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_result_validates(imported):
    _extract, report = imported
    assert report.problems == ()
    net = read_dataset(report.folder)
    assert (len(net.nodes), len(net.links)) == (7, 6)  # Alpha, junction, Gamma, 2 border sides, Delta, Beta


def test_contraction_keeps_the_sum_of_distances(imported):
    _extract, report = imported
    links = rows(report.folder, "links")
    expected = sum(way_km(w) for w in MAIN_WAYS)  # the siding, the 1000 mm line and the detached stub are left out
    assert math.isclose(sum(float(r["distance_km"]) for r in links), expected, rel_tol=1e-12)
    by_ends = {frozenset((r["from_node"], r["to_node"])): float(r["distance_km"]) for r in links}
    assert math.isclose(by_ends[frozenset(("alpha", "n4"))], way_km(100) + way_km(107), rel_tol=1e-12)  # two ways, one link
    # the border crossing plus the links on both sides of it = the two ways through the border point
    through = by_ends[frozenset(("n4", "gate_cn"))] + by_ends[frozenset(("gate_cn", "gate_kz"))] + by_ends[frozenset(("gate_kz", "delta"))] \
        + by_ends[frozenset(("delta", "beta"))]
    assert math.isclose(through, way_km(102) + way_km(103), rel_tol=1e-12)


def test_the_link_time_is_the_sum_of_its_ways_times(imported):
    _extract, report = imported
    main = next(r for r in rows(report.folder, "links") if {r["from_node"], r["to_node"]} == {"alpha", "n4"})
    hours = way_km(100) / (100 * 0.4) + way_km(107) / (90 * 0.4)  # maxspeed 120 capped at 100, then 90; commercial share 0.4
    assert math.isclose(float(main["distance_km"]) / float(main["speed_km_day"]) * 24, hours, rel_tol=1e-8)
    assert main["note"] == "from w100 w107"


def test_gauges_tracks_and_electrification_map_to_the_link_columns(imported):
    _extract, report = imported
    links = {frozenset((r["from_node"], r["to_node"])): r for r in rows(report.folder, "links")}
    main = links[frozenset(("alpha", "n4"))]
    assert (main["gauge_mm"], main["tracks"], main["electrified"], main["energy"]) == ("1435", "2", "yes", "electric")
    kz = links[frozenset(("delta", "beta"))]
    assert (kz["gauge_mm"], kz["tracks"], kz["electrified"], kz["energy"]) == ("1520", "1", "no", "diesel")
    branch = links[frozenset(("n4", "gamma"))]
    assert branch["tracks_src"] == "A-import-tracks-default" and branch["electrified"] == ""
    assert "A-import-speed-default" in branch["speed_km_day_src"]  # no maxspeed on way 101
    assert links[frozenset(("gate_cn", "gate_kz"))]["gauge_mm"] == "1435;1520"  # the crossing carries both gauges


def test_the_border_point_becomes_a_crossing_between_two_countries(imported):
    _extract, report = imported
    nodes = {r["node_id"]: r for r in rows(report.folder, "nodes")}
    assert (nodes["gate_cn"]["country"], nodes["gate_kz"]["country"]) == ("CN", "KZ")
    assert nodes["gate_cn"]["node_kind"] == nodes["gate_kz"]["node_kind"] == "border"
    assert {r["country"] for n, r in nodes.items() if n in ("alpha", "gamma", "n4")} == {"CN"}
    assert {r["country"] for n, r in nodes.items() if n in ("delta", "beta")} == {"KZ"}
    fac = {(r["node_id"], r["facility_kind"]) for r in rows(report.folder, "facilities")}
    assert {("gate_cn", "border"), ("gate_kz", "border")} <= fac
    assert ("gate_cn", "gauge_change") in fac  # 1435 meets 1520 across the dual-gauge crossing


def test_every_value_cites_the_extract_and_its_date(imported):
    extract, report = imported
    sources = {r["source_id"]: r for r in rows(report.folder, "sources")}
    osm = sources[f"S-osm-{DATE}"]
    assert (osm["date"], osm["locator"], osm["publisher"]) == (DATE, extract.name, "OpenStreetMap contributors")
    for r in rows(report.folder, "links"):
        assert r["distance_km_src"] == f"S-osm-{DATE}" and f"S-osm-{DATE}" in r["speed_km_day_src"]
    assert all(r["coord_src"] == f"S-osm-{DATE}" for r in rows(report.folder, "nodes"))


def test_the_map_line_follows_the_track(imported):
    _extract, report = imported
    line = {frozenset((r["from_node"], r["to_node"])): r["geometry"] for r in rows(report.folder, "links")}
    assert line[frozenset(("alpha", "n4"))] == "80 44;80.3 44;80.6 44.02;80.9 44"  # the way's nodes, not a straight line


def test_what_cannot_be_inferred_is_listed(imported):
    _extract, report = imported
    todo = (report.folder / "TODO.md").read_text(encoding="utf-8")
    assert "capacity_trains_day: empty on 6 of 6 links" in todo
    assert "border_gate_cn" in todo and "gauge_gate_cn" in todo
    assert "service=siding" in todo and "gauge 1000 mm" in todo and "not connected" in todo
    assert all(r["capacity_trains_day"] == "" for r in rows(report.folder, "links"))


def test_cli_imports_then_routes_between_two_imported_stations(tmp_path):
    extract = write(tmp_path / "x.osm.pbf")
    out = tmp_path / "ds"
    runner = CliRunner()
    res = runner.invoke(app, ["import", "osm", str(extract), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "passes silkway validate" in res.output and "capacity_trains_day" in res.output
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    res = runner.invoke(app, ["route", "Alpha", "Beta", "--dataset", str(out), "--json"])
    assert res.exit_code == 0, res.output
    best = json.loads(res.stdout)["options"][0]
    assert math.isclose(best["distance_km"], way_km(100) + way_km(107) + way_km(102) + way_km(103), rel_tol=1e-9)
    again = runner.invoke(app, ["import", "osm", str(extract), "--out", str(out)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_no_country_without_boundaries_or_default_is_a_clear_error(tmp_path):
    import osmium
    from osmium.osm.mutable import Node, Way

    path = tmp_path / "plain.osm"
    with osmium.SimpleWriter(str(path)) as w:
        w.add_node(Node(id=1, location=(10.0, 50.0), tags={"railway": "station", "name": "A"}))
        w.add_node(Node(id=2, location=(10.5, 50.0), tags={"railway": "station", "name": "B"}))
        w.add_way(Way(id=1, nodes=[1, 2], tags={"railway": "rail"}))
    with pytest.raises(SilkwayError, match="--default-gauge"):
        svc.import_osm(path, svc.ImportOptions(tmp_path / "a", date="2026-01-01"))
    with pytest.raises(SilkwayError, match="--country"):
        svc.import_osm(path, svc.ImportOptions(tmp_path / "b", date="2026-01-01", default_gauge=1435))
    report = svc.import_osm(path, svc.ImportOptions(tmp_path / "c", date="2026-01-01", default_gauge=1435, country="DE"))
    assert report.problems == () and {n.country for n in read_dataset(report.folder).nodes} == {"DE"}


def test_not_an_osm_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf at all")
    with pytest.raises(SilkwayError, match="cannot be read as an OpenStreetMap file"):
        svc.import_osm(bad, svc.ImportOptions(tmp_path / "out"))


def test_ways_fixture_matches_what_the_test_expects():
    assert set(MAIN_WAYS) < set(WAYS)
