"""The network commands as a user runs them: `silkway validate`, `silkway network`, `silkway export geojson`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from silkway.network import read_dataset

from ._edit import delete_row, set_cell

SILKWAY = Path(sys.executable).parent / "silkway"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    return subprocess.run([str(SILKWAY), *map(str, args)], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_validate_broken_dataset_lists_every_problem(dataset_copy: Callable[..., Path]) -> None:
    folder = dataset_copy()
    set_cell(folder, "nodes.csv", "gate_cn", "lon", "283")
    set_cell(folder, "links.csv", "l3", "speed_km_day", "-5")
    set_cell(folder, "sources.csv", "S-test", "date", "yesterday")
    delete_row(folder, "params.csv", "train_teu")
    (folder / "cost_rates.csv").write_bytes(b"mode,country,usd_per_teu_km,usd_src,note\nrail,*,1,A-test,caf\xe9\n")
    res = run("validate", folder)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert "Traceback" not in out
    expected = [
        "nodes.csv, line 3, field 'lon': 283 is above the plausible maximum 180",
        "sources.csv, line 2, field 'date': 'yesterday' is not a date",
        "links.csv, line 4, field 'speed_km_day': -5 must be greater than 0",
        "cost_rates.csv, line 2: not valid UTF-8",
        "params.csv, field 'param': required parameter 'train_teu' is missing",
    ]
    for text in expected:
        assert text in out, out
    assert "5 problem(s) found" in out, out
    assert out.count("  - ") == 5, out


def test_validate_valid_dataset(tiny_dir: Path) -> None:
    res = run("validate", tiny_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "no problems found" in res.stdout


def test_validate_embedded_dataset() -> None:
    res = run("validate")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "eurasia" in res.stdout and "no problems found" in res.stdout


@pytest.mark.parametrize("content", [b"\x00\x01\x02", b'node_id,name\n"unclosed,x\n', "é".encode("utf-16") * 20])
def test_validate_garbage_never_shows_a_traceback(dataset_copy: Callable[..., Path], content: bytes) -> None:
    folder = dataset_copy()
    (folder / "nodes.csv").write_bytes(content)
    res = run("validate", folder)
    out = res.stdout + res.stderr
    assert res.returncode == 1 and "Traceback" not in out
    assert "nodes.csv" in out


def test_validate_not_a_folder(tmp_path: Path) -> None:
    res = run("validate", tmp_path / "nowhere")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "is not a folder" in res.stderr


def test_network_summary(tiny_dir: Path) -> None:
    res = run("network", "--dataset", tiny_dir)
    assert res.returncode == 0, res.stderr
    assert "tiny" in res.stdout and "5 nodes, 4 links, 5 facilities" in res.stdout
    assert "1 sources + 1 stated assumptions" in res.stdout
    assert "Gate CN" in res.stdout  # the gauge_change facility row
    assert "gate_cn" in res.stdout.split("Gauge breaks")[1].splitlines()[0]


def test_export_geojson(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "net.geojson"
    res = run("export", "geojson", "-o", out, "--dataset", tiny_dir)
    assert res.returncode == 0, res.stderr
    gj = json.loads(out.read_text(encoding="utf-8"))
    net = read_dataset(tiny_dir)
    assert gj["type"] == "FeatureCollection"
    assert all(f["type"] == "Feature" for f in gj["features"])
    points = {f["properties"]["id"]: f["geometry"] for f in gj["features"] if f["geometry"]["type"] == "Point"}
    lines = {f["properties"]["id"]: f["geometry"] for f in gj["features"] if f["geometry"]["type"] == "LineString"}
    assert set(points) == {n.node_id for n in net.nodes}
    assert set(lines) == {lk.link_id for lk in net.links}
    assert len(gj["features"]) == len(net.nodes) + len(net.links)
    for n in net.nodes:
        assert points[n.node_id]["coordinates"] == [n.lon, n.lat]  # GeoJSON order: lon, lat
    for lk in net.links:
        a, b = net.node_by_id[lk.from_node], net.node_by_id[lk.to_node]
        assert lines[lk.link_id]["coordinates"] == [[a.lon, a.lat], [b.lon, b.lat]]


def test_export_geojson_embedded(tmp_path: Path) -> None:
    out = tmp_path / "eurasia.geojson"
    res = run("export", "geojson", "-o", out)
    assert res.returncode == 0, res.stderr
    gj = json.loads(out.read_text(encoding="utf-8"))
    net = read_dataset()
    assert len(gj["features"]) == len(net.nodes) + len(net.links)
    for f in gj["features"]:
        coords = f["geometry"]["coordinates"]
        for lon, lat in [coords] if f["geometry"]["type"] == "Point" else coords:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        # flat properties: GIS tools read each as a column (no list or dict they would turn into text)
        assert all(v is None or isinstance(v, (str, int, float)) for v in f["properties"].values()), f["properties"]
    dostyk = next(f["properties"] for f in gj["features"] if f["properties"]["id"] == "dostyk")
    assert "dostyk_border" in dostyk["facility_ids"].split(";") and dostyk["capacity_trains_day"] > 0


def test_export_gpkg_reads_back_with_gdal(tiny_dir: Path, tmp_path: Path) -> None:
    pyogrio = pytest.importorskip("pyogrio")
    out = tmp_path / "net.gpkg"
    res = run("export", "gpkg", "-o", out, "--dataset", tiny_dir)
    assert res.returncode == 0, res.stderr
    net = read_dataset(tiny_dir)
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"nodes", "links"}
    nodes = pyogrio.raw.read(out, layer="nodes")
    links = pyogrio.raw.read(out, layer="links")
    assert len(nodes[2]) == len(net.nodes) and len(links[2]) == len(net.links)
    meta, names = links[0], list(links[0]["fields"])
    assert meta["crs"] == "EPSG:4326" and "distance_km" in names and meta["geometry_type"] == "LineString"
    got = dict(zip(links[3][names.index("id")], links[3][names.index("distance_km")], strict=True))
    assert got == {lk.link_id: lk.distance_km for lk in net.links}
