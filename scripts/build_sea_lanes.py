"""Build the deep-sea lanes of the embedded dataset: geometry and length from ``searoute``, written into links.csv.

Run once when a port or a lane changes (needs the ``build`` extra: ``pip install -e '.[build]'``)::

    python scripts/build_sea_lanes.py [--dataset src/silkway/data/eurasia] [--check]    (or: make sea-lanes)

For each Chinese port and each European, Black Sea or Gulf port it computes the lane via Suez (searoute's default
passages) and via the Cape of Good Hope, simplifies it for the CSV (Douglas-Peucker, refined wherever a simplified
segment would cut across land) and inserts or updates the link row ``sea_<from>_<to>`` (via Suez; to Bandar Abbas
the only lane) or ``sea_<from>_<to>_cape``. Other rows and columns are left as they are. The product never imports
searoute: it reads the shipped geometry.

searoute's traps (checked here, not trusted): its ``restrictions`` replace the default list, so the Cape needs
Suez *and* Panama, the Northwest passage and the Bering strait closed (with Panama open the "Cape" lane to Rotterdam
crosses the Pacific); its network has the Corinth canal, so a Cape lane into the Aegean is routed via a waypoint
south-west of the Peloponnese; it joins the Caspian to the Black Sea, so no Caspian leg is ever built with it.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from silkway.network.dataset import default_dataset_path, format_geometry
from silkway.network.validate import polyline_km
from silkway.report.basemap import densify, gc_km, land_km

ORIGINS = ("shanghai", "lianyungang")
NORTH_RANGE = ("rotterdam", "hamburg")
MED_BLACK_SEA = ("constanta", "ambarli", "poti")
GULF = ("bandar_abbas",)
CAPE_CLOSED = ["suez", "panama", "northwest", "bering"]
WEST_OF_PELOPONNESE = (21.5, 36.2)  # waypoint: a Cape lane enters the Aegean round Cape Matapan, not via Corinth
SUEZ = (32.55, 30.0)  # reference points a lane must pass near (km, see check_lane)
CAPE = (20.0, -35.0)
CASPIAN_BOX = (46.0, 36.0, 55.5, 47.5)  # lon min, lat min, lon max, lat max
MAX_POINTS = 60
TOLERANCE_DEG = 0.1  # simplification tolerance (~11 km), refined near land
SPEED_KM_DAY = 560  # Shanghai-Rotterdam via Suez 19,600 km / 35 d typical sequence with calls (S-pem-suez)
SUEZ_CLOSED_FROM = "2023-12-15"  # Maersk paused Bab al-Mandab transits (S-maersk-2023-redsea)
SUEZ_VALID_TO = "2023-12-14"


@dataclass(frozen=True)
class Lane:
    origin: str
    destination: str
    via: str  # suez | cape | direct (the Gulf: neither)
    line: tuple[tuple[float, float], ...]  # (lon, lat), node to node, unsimplified
    km: float

    @property
    def link_id(self) -> str:
        return f"sea_{self.origin}_{self.destination}" + ("_cape" if self.via == "cape" else "")


def searoute_line(a: tuple[float, float], b: tuple[float, float], restrictions: list[str] | None) -> list[tuple[float, float]]:
    import searoute

    kw = {} if restrictions is None else {"restrictions": restrictions}
    coords = searoute.searoute(list(a), list(b), **kw).geometry["coordinates"]
    return [(((lon + 180.0) % 360.0) - 180.0, lat) for lon, lat in coords]  # searoute may wrap past 180


def build_lane(nodes: dict[str, tuple[float, float]], origin: str, destination: str, via: str) -> Lane:
    a, b = nodes[origin], nodes[destination]
    if via == "cape" and destination in MED_BLACK_SEA:
        middle = searoute_line(a, WEST_OF_PELOPONNESE, CAPE_CLOSED)
        middle += searoute_line(WEST_OF_PELOPONNESE, b, None)[1:]
    else:
        middle = searoute_line(a, b, CAPE_CLOSED if via == "cape" else None)
    line = [a, *middle, b]
    line = [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]
    return Lane(origin, destination, via, tuple(line), polyline_km(line))


def simplify(line: tuple[tuple[float, float], ...], must_keep: tuple[tuple[float, float], ...] = ()) -> np.ndarray:
    """Douglas-Peucker at TOLERANCE_DEG; then, while a kept segment crosses land the full line does not, keep the
    farthest point between its ends. The vertices nearest to ``must_keep`` (chokepoints) are always kept."""
    pts = np.asarray(line, dtype=float)
    keep = np.zeros(len(pts), dtype=bool)
    keep[[0, -1]] = True
    for x, y in must_keep:
        keep[int(np.argmin(np.hypot(pts[:, 0] - x, pts[:, 1] - y)))] = True
    _douglas_peucker(pts, keep, TOLERANCE_DEG)
    idx = np.flatnonzero(keep)
    stack = list(zip(idx[:-1], idx[1:], strict=True))
    while stack:
        i, j = stack.pop()
        if j > i + 1 and land_km(pts[[i, j]], ends_km=0.0) > land_km(pts[i : j + 1], ends_km=0.0):
            k = i + 1 + int(np.argmax(_offsets(pts, i, j)))
            keep[k] = True
            stack += [(i, k), (k, j)]
    return pts[keep]


def _offsets(pts: np.ndarray, i: int, j: int) -> np.ndarray:
    seg, rel = pts[j] - pts[i], pts[i + 1 : j] - pts[i]
    norm = float(np.hypot(*seg))
    return np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm if norm else np.hypot(rel[:, 0], rel[:, 1])


def _douglas_peucker(pts: np.ndarray, keep: np.ndarray, tol: float) -> None:
    fixed = np.flatnonzero(keep)
    stack = list(zip(fixed[:-1], fixed[1:], strict=True))
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        off = _offsets(pts, i, j)
        k = int(np.argmax(off))
        if off[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]


def near_km(line: np.ndarray, point: tuple[float, float]) -> float:
    pts = densify(line, 10.0)
    return float(gc_km(pts[:, 0], pts[:, 1], point[0], point[1]).min())


def check_lane(lane: Lane, shown: np.ndarray) -> list[str]:
    """Why a lane must not be shipped (empty: fine)."""
    out = []
    x0, y0, x1, y1 = CASPIAN_BOX
    if any(x0 <= lon <= x1 and y0 <= lat <= y1 for lon, lat in lane.line):
        out.append("enters the Caspian")
    suez, cape = near_km(shown, SUEZ), near_km(shown, CAPE)
    if (lane.via == "suez") != (suez < 50):
        out.append(f"passes {suez:.0f} km from Suez")
    if (lane.via == "cape") != (cape < 300):
        out.append(f"passes {cape:.0f} km from the Cape of Good Hope")
    for what, line in (("lane", np.asarray(lane.line)), ("simplified lane", shown)):
        if (over := land_km(line)) > 10:
            out.append(f"{what} crosses {over:.0f} km of land")
    if len(shown) > MAX_POINTS:
        out.append(f"{len(shown)} points (at most {MAX_POINTS})")
    return out


# ---------------------------------------------------------------- links.csv


def lane_row(lane: Lane, shown: np.ndarray) -> dict[str, str]:
    north = lane.destination in NORTH_RANGE
    via = {"suez": "EG", "cape": "", "direct": ""}[lane.via]
    if lane.destination in ("constanta", "poti"):
        via = ";".join(filter(None, (via, "TR")))  # through the Turkish Straits
    km = round(lane.km)
    days = km / SPEED_KM_DAY
    route = {"suez": "via Suez", "cape": "via the Cape of Good Hope" + ("" if north else " and Gibraltar"), "direct": "via Malacca and Hormuz"}[lane.via]
    note = (f"{route}: searoute lane {km} km node to node ({len(shown)} of {len(lane.line)} points shown); "
            f"{days:.1f} d at {SPEED_KM_DAY} km/day (Shanghai-Rotterdam via Suez 35 d typical sequence with calls)")
    if lane.via == "suez":
        note += f"; ends {SUEZ_VALID_TO}: carriers diverted round the Cape from {SUEZ_CLOSED_FROM} (S-maersk-2023-redsea)"
    return {
        "link_id": lane.link_id, "from_node": lane.origin, "to_node": lane.destination, "mode": "sea", "energy": "vlsfo",
        "country": "XX", "via_countries": via, "corridor": "sea",
        "distance_km": str(km), "distance_km_src": "S-searoute-160",
        "speed_km_day": str(SPEED_KM_DAY), "speed_km_day_src": "S-pem-suez;S-village-2024-sea",
        "time_p90_factor": "1.25", "time_p90_factor_src": "A-p90-sea;S-village-2024-sea",
        "departures_per_week": "7" if north else "2", "departures_per_week_src": "A-sea-freq" if north else "A-sea-freq-med",
        "capacity_teu_per_departure": "20000" if north else "12000",
        "capacity_teu_per_departure_src": "A-sea-freq" if north else "A-sea-freq-med",
        "first_departure_h": "0", "first_departure_h_src": "A-first-dep",
        "valid_to": SUEZ_VALID_TO if lane.via == "suez" else "",
        "geometry": format_geometry(shown), "note": note,
    }


def updated_links(text: str, rows: list[dict[str, str]]) -> tuple[str, int, int]:
    """links.csv text with the lanes' rows inserted or replaced (by link_id; every other row unchanged) and missing
    columns added before 'note'; with the number of rows added and changed."""
    table = list(csv.reader(io.StringIO(text, newline="")))
    header = table[0]
    for col in ("valid_from", "valid_to", "geometry"):
        if col not in header:
            at = header.index("note") if "note" in header else len(header)
            header.insert(at, col)
            for r in table[1:]:
                r.insert(at, "")
    index = {r[0]: i for i, r in enumerate(table) if r}
    added = updated = 0
    for row in rows:
        cells = [row.get(c, "") for c in header]
        if row["link_id"] in index:
            updated += table[index[row["link_id"]]] != cells
            table[index[row["link_id"]]] = cells
        else:
            table.append(cells)
            added += 1
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    return buf.getvalue(), added, updated


def read_nodes(folder: Path) -> dict[str, tuple[float, float]]:
    with (folder / "nodes.csv").open(encoding="utf-8", newline="") as fh:
        return {r["node_id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)}


def plan() -> list[tuple[str, str, str]]:
    out = [(o, d, via) for o in ORIGINS for d in NORTH_RANGE + MED_BLACK_SEA for via in ("suez", "cape")]
    return out + [(o, d, "direct") for o in ORIGINS for d in GULF]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, default=default_dataset_path())
    ap.add_argument("--check", action="store_true", help="compute and check the lanes, write nothing; exit 1 unless links.csv is up to date")
    args = ap.parse_args(argv)
    nodes = read_nodes(args.dataset)
    rows, bad = [], 0
    for origin, destination, via in plan():
        lane = build_lane(nodes, origin, destination, via)
        shown = simplify(lane.line, must_keep=(SUEZ,) if via == "suez" else (CAPE,) if via == "cape" else ())
        problems = check_lane(lane, shown)
        bad += bool(problems)
        print(f"{lane.link_id:34s} {via:6s} {lane.km:8.0f} km  {len(shown):3d}/{len(lane.line)} points"
              + (f"  REFUSED: {'; '.join(problems)}" if problems else ""))
        rows.append(lane_row(lane, shown))
    if bad:
        print(f"{bad} lane(s) refused: links.csv left unchanged", file=sys.stderr)
        return 1
    path = args.dataset / "links.csv"
    text, added, updated = updated_links(path.read_text(encoding="utf-8"), rows)
    if args.check:
        print(f"links.csv: {'up to date' if not added + updated else f'{added} lane(s) to add, {updated} to update'}")
        return 1 if added + updated else 0
    path.write_text(text, encoding="utf-8")
    print(f"links.csv: {added} lane(s) added, {updated} updated, {len(rows) - added - updated} unchanged")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
