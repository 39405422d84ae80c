"""GeoParquet 1.1 written with pyarrow: a ``geometry`` column of WKB and the file's ``geo`` metadata (version, primary
column, encoding, geometry types, bounding box), so GIS tools (QGIS, GDAL ≥ 3.8, GeoPandas, DuckDB spatial) read the
table as a layer. Coordinates are longitude/latitude in WGS 84: the spec's default CRS (OGC:CRS84) when ``crs`` is
absent, so none is written. pyogrio's bundled GDAL here has no Parquet driver, hence pyarrow.
Spec: https://geoparquet.org/releases/v1.1.0/"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from silkway.atomic import atomic_write_bytes
from silkway.network.gpkg import wkb

VERSION = "1.1.0"
GEOMETRY = "geometry"


def geo_metadata(geometries: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    """The ``geo`` metadata of a column of GeoJSON geometries (None = a null geometry)."""
    present = [g for g in geometries if g is not None]
    points = [p for g in present for p in (g["coordinates"] if g["type"] != "Point" else [g["coordinates"]])]
    column: dict[str, Any] = {"encoding": "WKB", "geometry_types": sorted({g["type"] for g in present})}
    if points:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        column["bbox"] = [min(xs), min(ys), max(xs), max(ys)]
    return {"version": VERSION, "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def with_geometry(table: Any, geometries: Sequence[dict[str, Any] | None]) -> Any:
    """``table`` (a pyarrow Table) with a WKB ``geometry`` column appended and the ``geo`` metadata set."""
    import pyarrow as pa

    if len(geometries) != table.num_rows:
        raise ValueError(f"{len(geometries)} geometries for {table.num_rows} rows")
    column = pa.array([None if g is None else wkb(g) for g in geometries], type=pa.binary())
    table = table.append_column(GEOMETRY, column)
    meta = {**(table.schema.metadata or {}), b"geo": json.dumps(geo_metadata(geometries)).encode()}
    return table.replace_schema_metadata(meta)


def geoparquet_bytes(table: Any, geometries: Sequence[dict[str, Any] | None]) -> bytes:
    """``table`` (pyarrow Table or pandas DataFrame) with its geometries as the bytes of one GeoParquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(with_geometry(table, geometries), buf)
    return buf.getvalue()


def write_geoparquet(table: Any, geometries: Sequence[dict[str, Any] | None], out: str | os.PathLike[str]) -> Path:
    """Write ``table`` with its geometries as one GeoParquet file, atomically."""
    return atomic_write_bytes(Path(out), geoparquet_bytes(table, geometries))


def features_table(features: Sequence[dict[str, Any]]) -> tuple[Any, list[dict[str, Any]]]:
    """GeoJSON features with flat properties as (a pyarrow Table of their properties, their geometries)."""
    import pyarrow as pa

    names = list(dict.fromkeys(k for f in features for k in f["properties"]))
    table = pa.table({k: [f["properties"].get(k) for f in features] for k in names}) if names else pa.table({})
    return table, [f["geometry"] for f in features]
