"""Fingerprint of simulation outputs: a SHA-256 prefix of every result table of three runs of the embedded dataset
(fixed routes with booking, adaptive, no booking at 2x demand). Run it before and after a kernel change: equal lines
mean bit-identical results. ``PYTHONPATH=src python benchmarks/sim_fingerprint.py``"""

from __future__ import annotations

import hashlib

import pandas as pd

from silkway.services.network import load
from silkway.simulation import SimOptions, default_demand, simulate

TABLES = ("shipments", "trains", "facilities", "stations", "conservation", "vessel_links")


def main() -> None:
    net = load(None, None)
    demand = default_demand(net)
    runs = (("fixed", demand, {}, 120), ("adaptive", demand, {"route_mode": "adaptive"}, 90),
            ("nobook2x", demand.scaled(2.0), {"booking": False}, 90))
    for name, dem, options, days in runs:
        r = simulate(net, dem, days=days, seed=7, options=SimOptions(**options))
        h = hashlib.sha256()
        for t in TABLES:
            h.update(pd.util.hash_pandas_object(getattr(r, t), index=True).to_numpy().tobytes())
        h.update(str(r.events).encode())
        print(name, h.hexdigest()[:16], r.events, flush=True)


if __name__ == "__main__":
    main()
