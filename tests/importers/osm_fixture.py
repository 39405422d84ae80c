"""A tiny OSM extract written with pyosmium: two countries (CN, KZ) as admin_level=2 boundaries, a main line from
Alpha (CN) through a junction and a border point to Beta (KZ) with a gauge break at the border, a branch to Gamma, a
station drawn beside the track (Delta), and ways the import must leave out (a siding, a 1000 mm line, a detached
stub)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from silkway.network.validate import great_circle_km

NODES = {  # id: (lon, lat, tags)
    1: (80.0, 44.0, {"railway": "station", "name": "Alpha", "name:ru": "Альфа"}),
    2: (80.3, 44.0, {}),
    3: (80.6, 44.02, {}),
    4: (80.9, 44.0, {}),
    5: (80.9, 44.3, {}),
    6: (80.95, 44.5, {"railway": "station", "name": "Gamma"}),
    7: (81.0, 44.0, {}),
    8: (81.05, 44.0, {"railway": "border", "name": "Gate"}),
    9: (81.1, 44.0, {}),
    10: (81.5, 44.0, {}),
    11: (82.0, 44.0, {"railway": "station", "name": "Beta"}),
    12: (81.5, 44.001, {"railway": "station", "name": "Delta"}),  # beside the track, 110 m from node 10
    13: (81.3, 44.0, {}),
    14: (81.3, 44.1, {}),
    20: (83.0, 45.0, {}),
    21: (83.1, 45.0, {}),
    30: (80.9, 44.0001, {}),
    31: (80.5, 43.5, {}),
}
WAYS = {  # id: (node ids, tags)
    100: ([1, 2, 3], {"railway": "rail", "gauge": "1435", "maxspeed": "120", "electrified": "contact_line", "tracks": "2"}),
    107: ([3, 4], {"railway": "rail", "gauge": "1435", "maxspeed": "90", "electrified": "contact_line", "tracks": "2"}),  # same line
    101: ([4, 5, 6], {"railway": "rail", "gauge": "1435"}),
    102: ([4, 7, 8], {"railway": "rail", "gauge": "1435", "maxspeed": "80", "tracks": "2", "electrified": "contact_line"}),
    103: ([8, 9, 13, 10, 11], {"railway": "rail", "gauge": "1520", "maxspeed": "80", "tracks": "1", "electrified": "no"}),
    104: ([13, 14], {"railway": "rail", "gauge": "1520", "service": "siding"}),
    105: ([20, 21], {"railway": "rail", "gauge": "1520"}),
    106: ([30, 31], {"railway": "rail", "gauge": "1000"}),
}
COUNTRIES = {"CN": (78.0, 81.05), "KZ": (81.05, 85.0)}  # lon ranges, lat 42..46
MAIN_WAYS = (100, 107, 101, 102, 103)  # what the import keeps
DATE = "2026-10-01"


def way_km(way_id: int) -> float:
    ids = WAYS[way_id][0]
    return sum(great_circle_km(NODES[a][1], NODES[a][0], NODES[b][1], NODES[b][0]) for a, b in zip(ids, ids[1:], strict=False))


def write(path: Path) -> Path:
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", f"{DATE}T00:00:00Z")
    with osmium.SimpleWriter(str(path), header=header) as w:
        for nid, (lon, lat, tags) in NODES.items():
            w.add_node(Node(id=nid, location=(lon, lat), tags=tags))
        corner = 1000
        rings = {}
        for code, (lo, hi) in COUNTRIES.items():
            ids = []
            for lon, lat in ((lo, 42.0), (hi, 42.0), (hi, 46.0), (lo, 46.0)):
                w.add_node(Node(id=corner, location=(lon, lat)))
                ids.append(corner)
                corner += 1
            rings[code] = ids + ids[:1]
        stamp = datetime.fromisoformat(f"{DATE}T12:00:00+00:00")  # XML keeps no header timestamp: the newest object's date counts
        for wid, (ids, tags) in sorted(WAYS.items()):  # a PBF wants ids in order
            w.add_way(Way(id=wid, nodes=ids, tags=tags, timestamp=stamp, version=1))
        for k, ids in enumerate(rings.values()):
            w.add_way(Way(id=900 + k, nodes=ids, tags={}))
        for k, code in enumerate(rings):
            w.add_relation(Relation(id=500 + k, members=[("w", 900 + k, "outer")],
                                    tags={"type": "boundary", "boundary": "administrative", "admin_level": "2", "ISO3166-1:alpha2": code,
                                          "name": code}))
    return path
