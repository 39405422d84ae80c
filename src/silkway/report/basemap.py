"""Country outlines for the report's maps, from the Natural Earth TopoJSON the web app ships.

Public-domain Natural Earth data via the npm package world-atlas (vendored under
``silkway/web/static/vendor/world-atlas``): no tile server, no download. Every arc of the topology
is drawn as a thin line, which gives coastlines and borders without assembling polygons.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np

WORLD_ATLAS = ("web", "static", "vendor", "world-atlas", "countries-50m.json")


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute lon/lat arrays (n×2) of a quantised TopoJSON topology's arcs (delta-encoded)."""
    tf = topology.get("transform")
    scale = np.asarray(tf["scale"]) if tf else np.ones(2)
    translate = np.asarray(tf["translate"]) if tf else np.zeros(2)
    out = []
    for arc in topology["arcs"]:
        pts = np.asarray(arc, dtype=np.float64)
        if tf:
            pts = np.cumsum(pts, axis=0)
        out.append(pts * scale + translate)
    return out


@lru_cache(maxsize=1)
def country_outlines() -> tuple[np.ndarray, ...]:
    """The world's coastlines and borders as lon/lat polylines (read once per process)."""
    path = resources.files("silkway").joinpath(*WORLD_ATLAS)
    return tuple(decode_arcs(json.loads(path.read_text(encoding="utf-8"))))
