"""GeoPackage export of a network through pyogrio (GDAL): two layers, ``nodes`` (points) and ``links`` (lines), with
the flat properties of the GeoJSON export, in WGS 84 (EPSG:4326). pyogrio is an optional dependency
(``pip install silkway[gis]``); the geometry is encoded here as WKB (points and line strings only)."""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from silkway.errors import SilkwayError


def wkb(geometry: dict[str, Any]) -> bytes:
    """Little-endian WKB of a GeoJSON Point or LineString."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return struct.pack("<BI2d", 1, 1, *coords)
    if geometry["type"] == "LineString":
        return struct.pack(f"<BII{2 * len(coords)}d", 1, 2, len(coords), *(v for p in coords for v in p))
    raise ValueError(f"unsupported geometry type {geometry['type']}")


def write_gpkg(features: list[dict[str, Any]], out: str | os.PathLike[str]) -> Path:
    """Write GeoJSON-like features (``kind`` node or link, flat properties) as a two-layer GeoPackage, atomically."""
    try:
        from pyogrio.raw import write
    except ImportError:
        raise SilkwayError("GeoPackage export needs pyogrio: pip install 'silkway[gis]' (or export geojson)") from None
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".gpkg", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        for layer, kind, gtype in (("nodes", "node", "Point"), ("links", "link", "LineString")):
            feats = [f for f in features if f["properties"]["kind"] == kind]
            names = [k for k in feats[0]["properties"] if k != "kind"] if feats else []
            columns = [_column([f["properties"].get(k) for f in feats]) for k in names]
            geometry = np.array([wkb(f["geometry"]) for f in feats], dtype=object)
            write(tmp, geometry, columns, names, layer=layer, driver="GPKG", geometry_type=gtype, crs="EPSG:4326",
                  append=layer != "nodes")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _column(values: list[Any]) -> np.ndarray:
    """Numbers as float64 (None → NaN, a GIS null), everything else as text."""
    if all(v is None or isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(["" if v is None else str(v) for v in values], dtype=object)
