"""GeoParquet exports read back with pyarrow: the ``geo`` metadata of the GeoParquet 1.1 spec and the geometries
(decoded here from the WKB bytes, independently of the writer) match the network."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import silkway
from silkway.network import read_dataset
from silkway.network.geoparquet import geo_metadata, with_geometry

SRC = Path(silkway.__file__).resolve().parents[1]


def decode(wkb: bytes) -> tuple[str, list[tuple[float, float]]]:
    """A little-endian WKB Point or LineString (ISO 2D), by the OGC layout: byte order, type, then coordinates."""
    order, kind = struct.unpack_from("<BI", wkb)
    assert order == 1
    if kind == 1:
        return "Point", [struct.unpack_from("<2d", wkb, 5)]
    assert kind == 2
    (n,) = struct.unpack_from("<I", wkb, 5)
    assert len(wkb) == 9 + 16 * n
    flat = struct.unpack_from(f"<{2 * n}d", wkb, 9)
    return "LineString", list(zip(flat[::2], flat[1::2], strict=True))


def check_geo(table, types: list[str]) -> dict:
    """The file-level metadata every GeoParquet reader looks for (spec 1.1: version, primary_column, columns)."""
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    col = geo["columns"]["geometry"]
    assert col["encoding"] == "WKB" and col["geometry_types"] == types and "crs" not in col  # absent = OGC:CRS84 (lon/lat)
    assert table.schema.field("geometry").type == "binary"
    coords = [p for g in table.column("geometry").to_pylist() if g is not None for p in decode(g)[1]]
    xs, ys = [p[0] for p in coords], [p[1] for p in coords]
    assert col["bbox"] == [min(xs), min(ys), max(xs), max(ys)]  # the tight box of every coordinate
    return col


def test_export_geoparquet_nodes_and_links(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gp"
    res = subprocess.run([sys.executable, "-m", "silkway", "export", "geoparquet", "-o", str(out), "--dataset", str(tiny_dir)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=120)
    assert res.returncode == 0, res.stderr
    net = read_dataset(tiny_dir)
    nodes, links = pq.read_table(out / "nodes.parquet"), pq.read_table(out / "links.parquet")
    check_geo(nodes, ["Point"])
    check_geo(links, ["LineString"])
    assert nodes.num_rows == len(net.nodes) and links.num_rows == len(net.links)
    for row in nodes.to_pylist():
        node = net.node_by_id[row["id"]]
        assert decode(row["geometry"]) == ("Point", [(node.lon, node.lat)]) and row["name"] == node.name
    for row in links.to_pylist():
        lk = net.link_by_id[row["id"]]
        assert decode(row["geometry"]) == ("LineString", [tuple(p) for p in net.line_of(lk)])
        assert row["distance_km"] == lk.distance_km and row["mode"] == lk.mode and isinstance(row["corridor"], (str, type(None)))


def test_a_sea_lane_keeps_its_drawn_line(tmp_path: Path) -> None:
    """On the embedded dataset a sea link is written with its lane geometry (many points), not two end points."""
    from silkway.services.network import to_geoparquet

    net = read_dataset()
    to_geoparquet(net, tmp_path)
    links = {r["id"]: r for r in pq.read_table(tmp_path / "links.parquet").to_pylist()}
    drawn = next(lk for lk in net.links if lk.geometry and len(lk.geometry) > 2)
    kind, coords = decode(links[drawn.link_id]["geometry"])
    assert kind == "LineString" and len(coords) == len(net.line_of(drawn)) > 2


def test_null_geometries_and_the_row_count_check() -> None:
    import pyarrow as pa

    table = with_geometry(pa.table({"x": [1, 2]}), [{"type": "Point", "coordinates": [1.0, 2.0]}, None])
    assert table.column("geometry").null_count == 1
    assert geo_metadata([None]) == {"version": "1.1.0", "primary_column": "geometry",
                                    "columns": {"geometry": {"encoding": "WKB", "geometry_types": []}}}
    with pytest.raises(ValueError, match="1 geometries for 2 rows"):
        with_geometry(pa.table({"x": [1, 2]}), [None])
