"""Write a synthetic dataset folder in silkway's format, for load and validation benchmarks (issue 13).

    python benchmarks/make_synthetic.py --nodes 100000 --out /tmp/syn100k [--seed 2026]

Nodes on a jittered grid over Central Asia (lon 50..90, lat 38..54), in five countries by longitude band; each node
links to its east and north neighbours, a quarter of those links dropped at random (≈ 1.5 links per node), the graph
kept connected through a spanning row and column (the largest connected part is kept). Distances 1.05-1.4x the great circle, speeds 500-1,200 km/day per
link (mixed, as on a real network), single or double track, electrified or not. A link between two countries gets a
border facility at both ends. Every number cites S-synth. Deterministic for a seed.

``--subdivide K`` (K > 1) cuts each link into 1 to 2K - 1 pieces (K on average) through junctions on the straight line
between its ends, as OpenStreetMap cuts a railway into ways of many nodes: a chain-rich network (most nodes have two
links) of about ``--nodes`` nodes in all (the grid is made smaller), for the degree-2 contraction
(``silkway.routing.contract``). A piece keeps its link's speed, tracks and electrification; the way nodes lie in the
link's first country (a border link crosses in its last piece). Way nodes are named ``w0``, ``w1``… after the grid's.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

COUNTRIES = ("KZ", "UZ", "KG", "TM", "CN")


def great_circle_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _largest_component(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    _k, label = connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)
    return np.flatnonzero(label == np.bincount(label).argmax())


def make(n: int, out: Path, seed: int = 2026, subdivide: int = 1) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    n_total = n
    n = max(4, round(n / (1 + 1.5 * (subdivide - 1))))  # a grid node has about 1.5 links, each K - 1 way nodes
    cols = int(math.ceil(math.sqrt(n * 2.5)))
    rows = int(math.ceil(n / cols))
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    lon = 50 + 40 * (c + rng.uniform(-0.3, 0.3, n)) / cols
    lat = 38 + 16 * (r + rng.uniform(-0.3, 0.3, n)) / max(rows, 1)
    country = np.array(COUNTRIES)[np.minimum((c * len(COUNTRIES)) // cols, len(COUNTRIES) - 1)]
    east_a = np.flatnonzero(c < cols - 1)
    north_a = np.flatnonzero(r < rows - 1)
    a = np.concatenate([east_a, north_a])
    b = np.concatenate([east_a + 1, north_a + cols])
    keep = rng.uniform(size=len(a)) >= 0.25
    keep |= (r[a] == 0) & (b == a + 1)  # the first row and the first column keep the graph connected
    keep |= (c[a] == 0) & (b == a + cols)
    a, b = a[keep], b[keep]
    main = _largest_component(n, a, b)  # nodes cut off by the dropped links are left out (a dataset is one network)
    index = np.full(n, -1)
    index[main] = np.arange(len(main))
    inside = (index[a] >= 0) & (index[b] >= 0)
    a, b = index[a[inside]], index[b[inside]]
    lon, lat, country, n = lon[main], lat[main], country[main], len(main)
    gc = great_circle_km(lat[a], lon[a], lat[b], lon[b])
    dist = np.round(gc * rng.uniform(1.05, 1.4, len(a)) + 0.01, 3)
    speed = np.round(rng.uniform(500, 1200, len(a)), 1)
    tracks = rng.integers(1, 3, len(a))
    electric = rng.uniform(size=len(a)) < 0.5
    n_grid = n
    if subdivide > 1:
        lat, lon, country, a, b, dist, speed, tracks, electric = _subdivide(rng, subdivide, lat, lon, country, a, b, dist,
                                                                            speed, tracks, electric)
        n = len(lat)
    out.mkdir(parents=True, exist_ok=True)
    ids = [f"n{i}" for i in range(n_grid)] + [f"w{i}" for i in range(n - n_grid)]
    with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["node_id", "name", "aliases", "country", "lat", "lon", "coord_src", "node_kind", "note"])
        w.writerows([ids[i], f"Node {i}", "", country[i], f"{lat[i]:.5f}", f"{lon[i]:.5f}", "S-synth", "junction", ""] for i in range(n))
    with open(out / "links.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["link_id", "from_node", "to_node", "mode", "gauge_mm", "tracks", "tracks_src", "electrified", "energy", "country",
                    "distance_km", "distance_km_src", "speed_km_day", "speed_km_day_src", "time_p90_factor", "time_p90_factor_src", "note"])
        w.writerows([f"l{k}", ids[a[k]], ids[b[k]], "rail", "1520", int(tracks[k]), "S-synth", "yes" if electric[k] else "no",
                     "electric" if electric[k] else "diesel", country[a[k]], dist[k], "S-synth", speed[k], "S-synth",
                     1.3 if tracks[k] == 2 else 1.5, "S-synth", ""] for k in range(len(a)))
    cross = np.flatnonzero(country[a] != country[b])
    border = sorted(set(a[cross].tolist()) | set(b[cross].tolist()))
    with open(out / "facilities.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["facility_id", "node_id", "facility_kind", "customs_h_median", "customs_h_p90", "customs_h_src", "note"])
        w.writerows([f"b{i}", ids[i], "border", 4, 8, "S-synth", ""] for i in border)
    (out / "sources.csv").write_text("source_id,kind,publisher,title,date,locator,note\n"
                                     "S-synth,source,silkway benchmarks,Synthetic network,2026-11-30,benchmarks/make_synthetic.py,\n", encoding="utf-8")
    (out / "emission_factors.csv").write_text("mode,energy,co2e_g_per_tkm,co2e_src,scope,note\nrail,electric,17,S-synth,WTW,\n"
                                              "rail,diesel,25.5,S-synth,WTW,\n", encoding="utf-8")
    (out / "cost_rates.csv").write_text("mode,country,usd_per_teu_km,usd_src,note\nrail,*,0.26,S-synth,\n", encoding="utf-8")
    (out / "params.csv").write_text("param,value,unit,src,note\ntonnes_per_teu,12,t,S-synth,\ntrain_teu,100,TEU,S-synth,\n"
                                    "trade_usd_per_teu,60000,USD,S-synth,\ntransship_co2e_kg_per_teu,15,kg,S-synth,\n", encoding="utf-8")
    (out / "manifest.toml").write_text(f'name = "synthetic-{n}"\nversion = "1"\ndate = "2026-11-30"\nlicence = "CC0-1.0"\n'
                                       f'description = "benchmarks/make_synthetic.py --nodes {n_total} --seed {seed} --subdivide {subdivide}"\nformat_version = 1\n', encoding="utf-8")
    return n, len(a)


def _subdivide(rng, k, lat, lon, country, a, b, dist, speed, tracks, electric):
    """Each link cut into 1..2k-1 pieces at sorted random fractions of its length; the way nodes appended to the nodes."""
    pieces = rng.integers(1, 2 * k, len(a))
    link = np.repeat(np.arange(len(a)), pieces)  # the link each piece comes from
    start = np.cumsum(pieces) - pieces
    j = np.arange(len(link)) - start[link]  # piece number along its link
    frac = rng.uniform(0.05, 0.95, len(link))  # a cut point per piece after the first, sorted within the link
    frac[j == 0] = 0.0
    order = np.lexsort((frac, link))
    frac = frac[order]
    n = len(lat)
    way = j > 0  # a way node at the start of every piece but the first
    way_id = np.full(len(link), -1)
    way_id[way] = n + np.arange(int(way.sum()))
    tail = np.where(way, way_id, a[link])
    head = np.append(tail[1:], 0)
    last = j == pieces[link] - 1
    head[last] = b[link[last]]
    end = np.append(frac[1:], 1.0)
    end[last] = 1.0
    la, lb = link[way], frac[way]
    lat2 = np.concatenate([lat, lat[a[la]] + lb * (lat[b[la]] - lat[a[la]])])
    lon2 = np.concatenate([lon, lon[a[la]] + lb * (lon[b[la]] - lon[a[la]])])
    piece_km = np.round(dist[link] * (end - frac) + 0.001, 3)
    return (lat2, lon2, np.concatenate([country, country[a[la]]]), tail, head, piece_km, speed[link], tracks[link],
            electric[link])


def dataset(n: int, seed: int = 2026, subdivide: int = 1) -> Path:
    """The folder of the ``n``-node dataset, written once to $TMPDIR/silkway-synthetic-N-SEED[-subK] (kept between runs)."""
    import os

    folder = Path(os.environ.get("TMPDIR", "/tmp")) / (f"silkway-synthetic-{n}-{seed}" + (f"-sub{subdivide}" if subdivide > 1 else ""))
    if not (folder / "manifest.toml").exists():
        make(n, folder, seed, subdivide)
    return folder


def synthetic_router(n: int, seed: int = 2026, subdivide: int = 1):
    """(router, dataset load seconds, router build seconds, build CPU seconds) for the ``n``-node dataset, loaded as
    ``silkway route`` loads it (:func:`silkway.services.network.load`: the validated dataset cache when present, in
    $SILKWAY_CACHE_DIR or the user's cache folder) and compiled into the planner's state graph."""
    import time

    from silkway.routing import Router
    from silkway.services.network import load

    folder = dataset(n, seed, subdivide)
    t0 = time.perf_counter()
    net = load(folder)
    load_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    router = Router(net)
    router.graph.arrays()
    return router, load_s, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--subdivide", type=int, default=1, help="cut each link into K pieces on average (chains, as OSM ways)")
    args = ap.parse_args()
    n, m = make(args.nodes, args.out, args.seed, args.subdivide)
    print(f"{args.out}: {n} nodes, {m} links")


if __name__ == "__main__":
    main()
