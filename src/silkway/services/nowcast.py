"""The nowcast service (docs/nowcast.md): what ``silkway nowcast`` and the Python API call. Reads an observation
file, forecasts from the state it describes at a given time, writes the tables (Parquet, CSV) and a plot."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from silkway import limits
from silkway.atomic import atomic_write_bytes, atomic_write_text, ensure_folder
from silkway.errors import DataError, SilkwayError
from silkway.services._paths import OptPath

if TYPE_CHECKING:
    from silkway.network.model import Network
    from silkway.nowcast.backtest import Scores
    from silkway.nowcast.forecast import Desk
    from silkway.nowcast.observations import Observation
    from silkway.simulation.demand import Demand


@dataclass
class NowcastRun:
    at: datetime
    forecast: object  # silkway.nowcast.forecast.Forecast
    eta: object  # pandas DataFrame, times as UTC datetimes
    clearance: object


def _at(at: str | datetime) -> datetime:
    from silkway.nowcast.observations import parse_time

    if isinstance(at, datetime):
        return parse_time(at.isoformat())
    try:
        return parse_time(at)
    except ValueError:
        raise SilkwayError(f"--at '{at}' is not an ISO 8601 time (e.g. 2024-03-05T06:00Z)") from None


def run_nowcast(observed: str | os.PathLike[str], at: str | datetime, *, horizon_days: float = 30.0, dataset: OptPath = None,
                members: int = 30, seed: int = 0, workers: int = 1) -> NowcastRun:
    """Forecast per-train ETAs (P10/P50/P90) and queue clearance from the observations up to ``at``; ``workers``
    processes run the members (same results whatever the number)."""
    from silkway.nowcast.observations import read_observations

    limits.NOWCAST_HORIZON_DAYS.check(horizon_days, "--horizon")
    limits.NOWCAST_MEMBERS.check(members, "--members")
    t_at = _at(at)
    obs = read_observations(Path(observed))
    net, demand = nowcast_inputs(obs, Path(observed).name, t_at, dataset)
    return forecast_from(obs, t_at, net, demand, horizon_days=horizon_days, members=members, seed=seed, workers=workers)[1]


def nowcast_inputs(obs: list[Observation], file: str, at: datetime, dataset: OptPath = None) -> tuple[Network, Demand]:
    """The network as of ``at``'s day and the demand; a DataError locating the places, nodes and flows of ``obs``
    (read from ``file``) that they do not know."""
    from silkway.nowcast.observations import check_places
    from silkway.services.simulation import load_inputs

    net, demand = load_inputs(dataset, as_of=at.date().isoformat())
    problems = check_places(obs, set(net.node_by_id), set(net.link_by_id), set(net.facility_by_id), {f.flow_id for f in demand.flows},
                            file)
    if problems:
        raise DataError(problems, source="observations")
    return net, demand


def forecast_from(obs: list[Observation], at: datetime, net: Network, demand: Demand, *, horizon_days: float, members: int,
                  seed: int = 0, workers: int = 1) -> tuple[Desk, NowcastRun]:
    """The forecasting desk (its plan: stations and routes) and the run of the ensemble from the state ``obs``
    describe at ``at``."""
    import pandas as pd

    from silkway.nowcast.forecast import Desk
    from silkway.nowcast.observations import hours_since
    from silkway.simulation.options import SimOptions

    options = SimOptions(booking=False)
    origin = datetime(at.year, 1, 1, tzinfo=at.tzinfo) - timedelta(days=options.warmup_days)  # hour 0 of the run
    desk = Desk(net, demand, options, origin=origin, members=members, seed=seed)
    t0 = hours_since(at, origin)
    fc = desk.forecast(obs, t0, horizon_days * 24.0, workers=max(1, min(workers, os.cpu_count() or 1)))
    eta = fc.eta_table()
    for c in ("eta_p10_h", "eta_p50_h", "eta_p90_h"):
        eta[c.replace("_h", "")] = pd.to_datetime([origin + timedelta(hours=float(h)) if math.isfinite(h) else pd.NaT
                                                    for h in eta[c]], utc=True).floor("min")
    return desk, NowcastRun(at, fc, eta, fc.clearance_table())


def write_nowcast(run: NowcastRun, out_dir: str | os.PathLike[str]) -> list[Path]:
    """eta.parquet / eta.csv, clearance.parquet / clearance.csv, eta.png (P10–P90 bands), each written atomically."""
    out = ensure_folder(out_dir)
    written = []
    for name in ("eta", "clearance"):
        df = getattr(run, name)
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        written.append(atomic_write_bytes(out / f"{name}.parquet", buf.getvalue()))
        written.append(atomic_write_text(out / f"{name}.csv", df.to_csv(index=False)))
    from silkway.nowcast.plots import eta_figure

    buf = io.BytesIO()
    eta_figure(run.eta, run.at).savefig(buf, format="png", dpi=110)
    written.append(atomic_write_bytes(out / "eta.png", buf.getvalue()))
    return written


def static_planner(net: Network) -> Callable[[str, str], float | None]:
    """The backtest's static ETA: the route planner's median door-to-door hours under typical conditions (the waits
    shipped with the dataset), 200 draws, the best option; None when it finds no route."""
    from silkway.services.routing import route

    def hours(origin: str, destination: str) -> float | None:
        try:
            return route(net, origin, destination, alternatives=1, samples=200).options[0].days_median * 24.0
        except (SilkwayError, IndexError):
            return None

    return hours


def run_backtest(*, dataset: OptPath = None, days: float = 60, seed: int = 0, members: int = 30, horizon_days: float = 20,
                 at_days: tuple[float, ...] = (24, 28, 32)) -> Scores:
    """The backtest of silkway.nowcast.backtest on the dataset's 2023 network and demand; returns its Scores."""
    from silkway.nowcast.backtest import backtest
    from silkway.services.simulation import load_inputs
    from silkway.simulation.options import SimOptions

    net, demand = load_inputs(dataset)
    return backtest(net, demand, SimOptions(warmup_days=10), planner=static_planner(net), days=days, seed=seed, members=members, horizon_days=horizon_days,
                    at_days=at_days)
