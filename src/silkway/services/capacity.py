"""Capacity use cases for CLI and web: the analytic capacity table, and the simulated saturation curve."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from silkway.atomic import atomic_write_bytes
from silkway.capacity import CapacityReport, analyse
from silkway.capacity.curve import curve_figure, kpi_rows, summarise
from silkway.capacity.curve import parse_multipliers as parse_multipliers  # re-exported for the CLI
from silkway.errors import SilkwayError
from silkway.network import Network
from silkway.services._paths import OptPath
from silkway.simulation import Demand, SimOptions

RunProgress = Callable[[int, int, float, int], None]  # (runs done, runs total, multiplier, replication)


@dataclass(frozen=True)
class Inputs:
    network: Network
    demand: Demand
    options: SimOptions
    label: str  # what was analysed: "dataset as of …" or the scenario's name


def inputs(dataset: OptPath = None, as_of: date | str | None = None, scenario: OptPath = None) -> Inputs:
    """The network (as of a date), demand and options of the dataset or of a scenario file applied to its dataset
    (``as_of`` overrides the scenario's date)."""
    from silkway.services.simulation import load_inputs

    if scenario is None:
        net, demand = load_inputs(dataset, None, as_of)
        return Inputs(net, demand, SimOptions(), f"{net.manifest.name} {net.manifest.version} as of {net.as_of}")
    from silkway.scenarios.apply import apply
    from silkway.services import studies

    if not Path(scenario).is_file():
        raise SilkwayError(f"scenario file '{scenario}' not found")
    loaded = studies.load(scenario)
    spec = loaded.scenario if as_of is None else loaded.scenario.model_copy(update={"as_of": as_of})
    net, demand = load_inputs(spec.dataset, spec.demand.file, spec.as_of)
    applied = apply(spec, net, demand)
    return Inputs(applied.network, applied.demand, applied.options, f"scenario {loaded.name} as of {applied.network.as_of}")


def capacity(dataset: OptPath = None, as_of: date | str | None = None, scenario: OptPath = None, *,
             closures: bool = True) -> tuple[Inputs, CapacityReport]:
    got = inputs(dataset, as_of, scenario)
    return got, analyse(got.network, got.demand, got.options, closures=closures)


def capacity_of(net: Network, dataset: OptPath = None) -> CapacityReport:
    """The analytic capacity of an already loaded network (snapshot) with its dataset's demand (the web app)."""
    from silkway.simulation import dataset_demand

    if dataset is not None and not (Path(dataset) / "demand.csv").is_file():
        raise SilkwayError(f"dataset '{net.manifest.name}' has no demand.csv: the capacity per corridor follows the routes of "
                           "its demand rows (add a demand.csv to the dataset folder)")
    return analyse(net, dataset_demand(dataset, net), SimOptions())


def dataset_inputs(net: Network, dataset: OptPath, label: str) -> Inputs:
    """An already loaded network (snapshot) with its dataset's demand and the default options (the web app's curve)."""
    from silkway.simulation import dataset_demand

    return Inputs(net, dataset_demand(dataset, net), SimOptions(), label)


def report_dict(report: CapacityReport) -> dict[str, Any]:
    """JSON-ready: enums as their values, dates as ISO text."""
    d = asdict(report)
    d["as_of"] = report.as_of.isoformat() if report.as_of else None
    for c, src in zip(d["corridors"], report.corridors, strict=True):
        c["direction"], c["key"], c["utilisation"] = str(src.direction), src.key, src.utilisation
    for e in d["elements"]:
        e["kind"] = str(e["kind"])
    return d


@dataclass(frozen=True)
class Curve:
    """The runs of a saturation curve (long KPI rows) and their summary; ``interrupted`` when Ctrl-C stopped it."""

    runs: pd.DataFrame
    table: pd.DataFrame
    multipliers: tuple[float, ...]
    seeds: tuple[int, ...]
    days: float
    interrupted: bool = False
    capacity_teu_year: dict[str, float] = field(default_factory=dict)


def saturation_curve(got: Inputs, multipliers: tuple[float, ...], *, replications: int = 2, days: float = 90, seed: int = 0,
                     progress: RunProgress | None = None) -> Curve:
    """Simulate the demand × each multiplier, ``replications`` times each with seeds ``seed, seed + 1, …`` — the
    same seeds at every multiplier (common random numbers). Ctrl-C keeps the runs finished so far."""
    from silkway.simulation import simulate

    if replications < 1:
        raise SilkwayError(f"--replications must be >= 1 (got {replications})")
    if not days > 0:
        raise SilkwayError(f"--days must be > 0 (got {days})")
    seeds = tuple(seed + r for r in range(replications))
    rows: list[dict[str, Any]] = []
    total, done, interrupted = len(multipliers) * replications, 0, False
    try:
        for m in multipliers:
            demand = got.demand.scaled(m)
            for r, s in enumerate(seeds):
                if progress is not None:
                    progress(done, total, m, r)
                result = simulate(got.network, demand, days=days, seed=s, options=got.options)
                rows += kpi_rows(m, r, s, result.kpis(), days)
                done += 1
    except KeyboardInterrupt:
        interrupted = True
    if progress is not None and not interrupted:
        progress(done, total, multipliers[-1], replications)
    runs = pd.DataFrame(rows, columns=["multiplier", "replication", "seed", "corridor", "metric", "value"])
    return Curve(runs, summarise(runs), multipliers, seeds, days, interrupted)


def with_capacity(curve: Curve, report: CapacityReport) -> Curve:
    """The curve with each corridor's analytic capacity (TEU/year, both directions added) for the plot."""
    caps: dict[str, float] = {}
    for c in report.corridors:
        if c.teu_year is not None:
            caps[c.corridor] = caps.get(c.corridor, 0.0) + c.teu_year
    return replace(curve, capacity_teu_year=caps)


def write_curve(curve: Curve, out_dir: str | os.PathLike[str], title: str = "") -> list[Path]:
    """saturation.csv / .parquet (summary), saturation_runs.parquet (every run's metrics), saturation.png."""
    out = Path(out_dir)
    written = [atomic_write_bytes(out / "saturation.csv", curve.table.to_csv(index=False).encode())]
    for name, frame in (("saturation.parquet", curve.table), ("saturation_runs.parquet", curve.runs)):
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        written.append(atomic_write_bytes(out / name, buf.getvalue()))
    buf = io.BytesIO()
    curve_figure(curve.table, curve.capacity_teu_year, title).savefig(buf, format="png")
    written.append(atomic_write_bytes(out / "saturation.png", buf.getvalue()))
    return written


def curve_dict(curve: Curve, label: str = "") -> dict[str, Any]:
    """JSON-ready saturation curve: the summary rows (mean and 95% CI half-width per multiplier, corridor and metric;
    a NaN half-width, from a single replication, becomes None), the analytic capacities and the run settings."""
    rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in curve.table.to_dict(orient="records")]
    return {"label": label, "multipliers": list(curve.multipliers), "seeds": list(curve.seeds), "days": curve.days,
            "interrupted": curve.interrupted, "capacity_teu_year": dict(curve.capacity_teu_year), "table": rows,
            "method": f"simulated {curve.days:g} days per run, {len(curve.seeds)} replications per multiplier with the same "
                      "seeds at every multiplier (common random numbers); mean and 95% t-interval over the replications"}
