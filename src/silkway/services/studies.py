"""Scenario and study use cases: validate, diff, run a study, summarise, export, report.

The CLI (``cli/study_cmds.py``) and the web app call only these functions.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from silkway.errors import ScenarioError
from silkway.network import Network
from silkway.network.dataset import default_dataset_path
from silkway.scenarios.apply import Applied, apply, apply_network, option_changes
from silkway.scenarios.backends import DaskBackend, LocalBackend
from silkway.scenarios.diff import Change, diff_definitions, diff_effects
from silkway.scenarios.load import LoadedScenario, folder_digest, load_scenario
from silkway.scenarios.store import DEFAULT_STORE, ResultsStore, StudyRecord
from silkway.scenarios.study import ReplicateFn, StudyRun, StudyScenario, StudySpec, run_study
from silkway.scenarios.summary import summarize_kpis
from silkway.services.network import load as load_network

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class ScenarioCheck:
    """What a valid scenario does, for ``silkway scenario validate``."""

    name: str
    hash: str
    chain: tuple[Path, ...]
    changed_links: int
    changed_facilities: int
    new_facilities: int
    options: dict[str, Any]
    demand_growth: int


def load(path: PathLike) -> LoadedScenario:
    return load_scenario(path)


def network_for(loaded: LoadedScenario) -> Network:
    return load_network(loaded.scenario.dataset, loaded.scenario.as_of)


def check(path: PathLike) -> ScenarioCheck:
    """Validate a scenario file and apply it to its dataset (catches unknown places and ids)."""
    loaded = load_scenario(path)
    net = network_for(loaded)
    new = _located(loaded, lambda: apply_network(loaded.scenario, net))
    opts = _located(loaded, lambda: option_changes(loaded.scenario, new))
    changed_links = sum(1 for a, b in zip(net.links, new.links, strict=True) if a != b)
    old_f = {f.facility_id: f for f in net.facilities}
    changed_f = sum(1 for f in new.facilities if f.facility_id in old_f and old_f[f.facility_id] != f)
    return ScenarioCheck(loaded.name, loaded.hash, loaded.chain, changed_links, changed_f,
                         len(loaded.scenario.new_facilities), opts, len(loaded.scenario.demand.growth))


def diff(path_a: PathLike, path_b: PathLike) -> tuple[list[Change], list[Change]]:
    """(differences of the resolved definitions, differences of their effect on the network/options)."""
    a, b = load_scenario(path_a), load_scenario(path_b)
    if a.scenario.dataset != b.scenario.dataset:
        return diff_definitions(a.scenario, b.scenario), []
    net = network_for(a)
    return diff_definitions(a.scenario, b.scenario), _located(b, lambda: diff_effects(a.scenario, b.scenario, net))


def prepare(loaded: LoadedScenario) -> StudyScenario:
    """Apply a scenario to its dataset and demand: the inputs every replication of it receives."""
    net = network_for(loaded)
    from silkway.simulation import dataset_demand, read_demand

    if loaded.scenario.demand.file:
        demand = read_demand(loaded.scenario.demand.file, net)
    else:
        demand = dataset_demand(loaded.scenario.dataset, net)
    from silkway.scenarios.replicate import sim_inputs

    applied: Applied = _located(loaded, lambda: apply(loaded.scenario, net, demand))
    return StudyScenario(loaded.name, loaded.hash, loaded.scenario.model_dump(mode="json"), _located(loaded, lambda: sim_inputs(applied)))


def dataset_version(loaded: LoadedScenario) -> str:
    net = network_for(loaded)
    folder = Path(loaded.scenario.dataset) if loaded.scenario.dataset else default_dataset_path()
    return f"{net.manifest.name} {net.manifest.version} ({folder_digest(folder)})"


def code_version() -> str:
    """``silkway <version>`` plus the git commit (and ``-dirty`` when src/ has local changes)."""
    from silkway import __version__

    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here, capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", str(here.parent)], cwd=here, capture_output=True,
                               text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"silkway {__version__}"
    return f"silkway {__version__} {commit}{'-dirty' if dirty else ''}"


def make_spec(paths: list[PathLike], replications: int, seed: int = 0, days: int | None = None, crn: bool = False,
              detail_reps: int = 3, label: str | None = None) -> StudySpec:
    if not paths:
        raise ScenarioError("a study needs at least one scenario file")
    if replications < 1:
        raise ScenarioError("--replications must be at least 1")
    loaded = [load_scenario(p) for p in paths]
    names = [s.name for s in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"scenario names must differ within a study: {', '.join(dupes)}")
    versions = {dataset_version(s) for s in loaded}
    horizon = days or loaded[0].scenario.simulation.days or 365
    return StudySpec(tuple(prepare(s) for s in loaded), replications, seed=seed, days=horizon, crn=crn,
                     detail_reps=detail_reps, dataset_version=" | ".join(sorted(versions)), code_version=code_version(),
                     label=label)


def backend_for(name: str, workers: int = 2, address: str | None = None) -> LocalBackend | DaskBackend:
    if name == "local":
        return LocalBackend(max(1, workers))
    if name == "dask":
        if not address:
            raise ScenarioError("--backend dask needs --address tcp://HOST:PORT (a running Dask scheduler)")
        return DaskBackend(address)
    raise ScenarioError(f"unknown backend '{name}' (local or dask)")


def simulation_replicate() -> ReplicateFn:
    from silkway.scenarios.replicate import simulate_replication

    return simulate_replication


def run(spec: StudySpec, store_path: PathLike = DEFAULT_STORE, backend: LocalBackend | DaskBackend | None = None,
        progress: Callable[[int, int], None] | None = None, replicate: ReplicateFn | None = None) -> StudyRun:
    with ResultsStore(store_path) as store:
        return run_study(spec, store, replicate or simulation_replicate(), backend or LocalBackend(2), progress)


def summary(study_ref: str = "latest", store_path: PathLike = DEFAULT_STORE) -> tuple[StudyRecord, pd.DataFrame]:
    with ResultsStore(store_path, read_only=True) as store:
        rec = store.study(study_ref)
        return rec, summarize_kpis(rec, store.kpis(rec.study_id))


def export(study_ref: str, out_dir: PathLike, store_path: PathLike = DEFAULT_STORE) -> list[Path]:
    with ResultsStore(store_path, read_only=True) as store:
        return store.export_parquet(store.study(study_ref).study_id, out_dir)


def report(study_ref: str, out_dir: PathLike, store_path: PathLike = DEFAULT_STORE, capacity: Any = None) -> Path:
    """Write the self-contained HTML report of a study; returns the file written. ``capacity``: an optional
    :class:`silkway.report.html.CapacitySection` (the demo's capacity table and saturation curve)."""
    from silkway.report import build_report

    with ResultsStore(store_path, read_only=True) as store:
        rec = store.study(study_ref)
        return build_report(store, rec, Path(out_dir), capacity)


def calibrate(observed_path: PathLike, scenario_path: PathLike | None = None, *, days: int = 365, replications: int = 3,
              seed: int = 0, out: PathLike | None = None, progress: Callable[[int, dict[str, float]], None] | None = None):  # noqa: ANN201
    """Fit per-border demand factors to observed counts; write the calibrated demand CSV to ``out``.

    The network, demand and options are those of ``scenario_path`` (default: the embedded dataset
    with its default demand)."""
    from silkway.atomic import atomic_write_text
    from silkway.scenarios import calibrate as cal
    from silkway.scenarios.study import replication_seed
    from silkway.simulation import SimOptions, dataset_demand

    try:
        text = Path(observed_path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{observed_path}: cannot read: {exc}") from None
    observations = cal.parse_observed(text, str(observed_path))
    if scenario_path is not None:
        inputs = prepare(load_scenario(scenario_path)).inputs.applied
        net, demand, options = inputs
    else:
        net = load_network(None)
        demand, options = dataset_demand(None, net), SimOptions()
    seeds = tuple(replication_seed(seed, "calibration", i) for i in range(replications))
    result = cal.calibrate(net, demand, options, observations, days=days, seeds=seeds, progress=progress)
    if out is not None:
        notes = {f: f"calibrated: x{result.factors[k]:.4f} to {k} = {result.observed[k]:g} ({observed_path})"
                 for k, ids in result.groups.items() for f in ids}
        atomic_write_text(out, cal.demand_csv(result.demand, notes))
    return result, observations


HEADLINE_PAIRS = (("Xi'an", "Duisburg"), ("Lianyungang", "Baku"), ("Chongqing", "Istanbul"), ("Almaty", "Bandar Abbas"))
DEMO_SCENARIOS = ("baseline-2023.yaml", "double-trade.yaml", "green-channel.yaml")


@dataclass(frozen=True)
class DemoResult:
    routes: list[Any]  # RouteResult per headline pair
    run: StudyRun
    record: StudyRecord
    table: pd.DataFrame
    breaks: list[str]  # where doubled trade breaks the corridor
    buys: list[str]  # what the green channel buys
    report: Path
    capacity: list[str] = field(default_factory=list)  # how much each corridor can carry (baseline network)


def demo_routes() -> list[Any]:
    """Best routes (by time, with alternatives) for the headline pairs on the embedded dataset."""
    from silkway.services.routing import router_for

    router = router_for(None)
    return [router.route(o, d) for o, d in HEADLINE_PAIRS]


def demo(examples_dir: PathLike = "examples", *, replications: int = 20, seed: int = 2023, store_path: PathLike = DEFAULT_STORE,
         out_dir: PathLike = "silkway-report", backend: LocalBackend | DaskBackend | None = None,
         progress: Callable[[int, int], None] | None = None, routes: list[Any] | None = None) -> DemoResult:
    """The main job: headline routes, then baseline-2023 vs double-trade vs green-channel, then the report."""
    from silkway.scenarios.headline import breaks_where, what_it_buys

    folder = Path(examples_dir)
    missing = [n for n in DEMO_SCENARIOS if not (folder / n).is_file()]
    if missing:
        raise ScenarioError(f"{folder}: missing example scenario(s) {', '.join(missing)} (run from the repository root)")
    routes = demo_routes() if routes is None else routes
    spec = make_spec([folder / n for n in DEMO_SCENARIOS], replications, seed=seed, label="demo: baseline-2023 vs double-trade vs green-channel")
    run_ = run(spec, store_path, backend, progress)
    rec, table = summary(spec.study_id, store_path)
    names = [s["name"] for s in rec.scenarios]
    lines, section = _demo_capacity(folder / DEMO_SCENARIOS[0], seed) if run_.complete else ([], None)
    path = report(spec.study_id, out_dir, store_path, section) if run_.complete else Path(out_dir) / "report.html"
    return DemoResult(routes, run_, rec, table, breaks_where(table, names[1], names[0]), what_it_buys(table, names[2], names[0]), path,
                      lines)


DEMO_CURVE = dict(multipliers=(0.5, 1.0, 2.0, 3.0), replications=2, days=60.0)  # ≈ 20 s: enough to show the plateau


def _demo_capacity(baseline: Path, seed: int) -> tuple[list[str], Any]:
    """The baseline's analytic capacity per corridor and a small saturation curve, for the demo and its report."""
    import io

    from silkway.capacity.curve import curve_figure
    from silkway.report.html import CapacitySection
    from silkway.scenarios.headline import capacity_lines
    from silkway.services.capacity import capacity, saturation_curve, with_capacity

    got, cap = capacity(scenario=baseline)
    lines = capacity_lines(cap)
    curve = with_capacity(saturation_curve(got, DEMO_CURVE["multipliers"], replications=DEMO_CURVE["replications"],
                                           days=DEMO_CURVE["days"], seed=seed), cap)
    buf = io.BytesIO()
    curve_figure(curve.table, curve.capacity_teu_year, f"Saturation curve — {got.label}").savefig(buf, format="png")
    note = (f"multipliers {', '.join(f'{m:g}' for m in curve.multipliers)}; {len(curve.seeds)} replications of {curve.days:g} days "
            f"each (seeds {', '.join(map(str, curve.seeds))}); dashed lines: analytic capacity of each corridor alone. "
            "Larger curves: silkway capacity --curve.")
    return lines, CapacitySection(got.label, tuple(lines), buf.getvalue(), note)


HEADLINE_KPI_PREFIXES = ("delivered_teu", "throughput_teu_corridor_", "transit_days_median_corridor_", "transit_days_p90",
                         "trains_border_", "max_queue_trains_")


def is_headline_kpi(name: str) -> bool:
    """KPIs printed by default (the rest with ``--all`` and in the report)."""
    return name.startswith(HEADLINE_KPI_PREFIXES)


def _located(loaded: LoadedScenario, fn: Callable[[], Any]) -> Any:
    """Run ``fn``; prefix a ScenarioError raised while applying with the scenario's file."""
    try:
        return fn()
    except ScenarioError as exc:
        chain = ""
        if len(loaded.chain) > 1:
            files = " ← ".join(p.name for p in loaded.chain)
            chain = f" (resolved {files}; list indexes count the parents' entries first)"
        raise ScenarioError(f"{loaded.path}{chain}: {exc}") from None
