"""Simulation use cases for CLI and web: run a simulation, write its outputs (Parquet, PNG, JSON)."""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from silkway import jsonsafe
from silkway.atomic import atomic_write_bytes
from silkway.interrupts import sigint_deferred
from silkway.network import Network
from silkway.services._paths import OptPath
from silkway.services.network import load
from silkway.simulation import Demand, SimulationResult, dataset_demand, read_demand, simulate
from silkway.simulation import SimOptions as SimOptions  # re-exported: the options record interfaces fill in
from silkway.simulation.core import Progress
from silkway.simulation.plots import queue_figure, transit_figure

logger = logging.getLogger(__name__)
TABLES = ("shipments", "trains", "facilities", "stations", "conservation", "vessel_links")


def _station_points(frame: Any, net: Network) -> list[dict[str, Any] | None]:
    nodes = net.node_by_id
    return [{"type": "Point", "coordinates": [nodes[n].lon, nodes[n].lat]} if n in nodes else None for n in frame["node_id"]]


def _vessel_lines(frame: Any, net: Network) -> list[dict[str, Any] | None]:
    links = net.link_by_id
    return [{"type": "LineString", "coordinates": [list(p) for p in net.line_of(links[lk])]} if lk in links else None
            for lk in frame["link_id"]]


GEOMETRY_OF = {"stations": _station_points, "vessel_links": _vessel_lines}  # tables with a place on the map


COMPILE_NOTE = ("compiling the simulation kernel (numba; the first run after an install or upgrade takes about a minute, "
                "later runs reuse the compiled code)…")


def kernel_compiled() -> bool | None:
    """Whether numba's on-disk cache holds the compiled event loop (None when that cannot be told): interfaces say so
    before a first run would otherwise sit silent for a minute."""
    try:
        from silkway.simulation._kernel import run_until

        return bool(run_until._cache._cache_file._load_index())  # numba's own staleness check (source stamp)
    except Exception:  # numba internals differ between versions: the note is then left out, nothing else changes
        logger.debug("cannot tell whether the simulation kernel is compiled", exc_info=True)
        return None


@dataclass(frozen=True)
class SimulationRun:
    network: Network
    demand: Demand
    result: SimulationResult


def load_inputs(dataset: OptPath = None, demand_file: OptPath = None, as_of: date | str | None = None) -> tuple[Network, Demand]:
    """The network as of ``as_of`` (default: the dataset's reference date) and the demand to run on it."""
    net = load(dataset, as_of)
    demand = read_demand(demand_file, net) if demand_file is not None else dataset_demand(dataset, net)
    return net, demand


def run_simulation(dataset: OptPath = None, demand_file: OptPath = None, *, days: float = 365, seed: int = 0,
                   options: SimOptions | None = None, progress: Progress | None = None, as_of: date | str | None = None,
                   scale: float = 1.0) -> SimulationRun:
    """Load the network (as of ``as_of``) and the demand (× ``scale``), then simulate ``days`` days after the warm-up."""
    net, demand = load_inputs(dataset, demand_file, as_of)
    if scale != 1.0:
        demand = demand.scaled(scale)
    result = simulate(net, demand, days=days, seed=seed, options=options or SimOptions(), progress=progress)
    return SimulationRun(net, demand, result)


def write_outputs(result: SimulationResult, out_dir: str | os.PathLike[str], net: Network | None = None) -> list[Path]:
    """Per-shipment, per-train, per-facility tables (Parquet), KPIs (JSON), summary (text), plots (PNG). Given the
    simulated network, ``stations.parquet`` (a point per station's node) and ``vessel_links.parquet`` (the sea or ferry
    line) are GeoParquet: a map of waits and sailings in any GIS. Everything is rendered first, then the files are
    written with Ctrl-C held until the last one is in place: all or none."""
    from silkway.network.geoparquet import geoparquet_bytes

    out = Path(out_dir)
    files: dict[Path, bytes] = {}
    for name in TABLES:
        frame = getattr(result, name)
        if net is not None and name in GEOMETRY_OF:
            files[out / f"{name}.parquet"] = geoparquet_bytes(frame, GEOMETRY_OF[name](frame, net))
            continue
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        files[out / f"{name}.parquet"] = buf.getvalue()
    files[out / "kpis.json"] = jsonsafe.dumps(result.kpis(), indent=1, sort_keys=True).encode()
    files[out / "summary.txt"] = (result.summary() + "\n").encode()
    for name, fig in (("queues.png", queue_figure(result)), ("transit_times.png", transit_figure(result))):
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        files[out / name] = buf.getvalue()
    with sigint_deferred():
        return [atomic_write_bytes(path, data) for path, data in files.items()]
