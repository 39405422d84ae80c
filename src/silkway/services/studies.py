"""Scenario and study use cases: validate, diff, run a study, summarise, export, report.

The CLI (``cli/study_cmds.py``) and the web app call only these functions.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from silkway import limits, safe_io
from silkway.defaults import examples_dir as examples_dir_default
from silkway.errors import ScenarioError, SilkwayError
from silkway.kpi_catalogue import Places, places_for
from silkway.network import Network
from silkway.network.dataset import default_dataset_path
from silkway.scenarios.apply import Applied, apply, apply_network, option_changes
from silkway.scenarios.backends import DaskBackend, LocalBackend, refuse_in_spawn_bootstrap
from silkway.scenarios.calibrate import CalibrationResult, Observation
from silkway.scenarios.diff import Change, diff_definitions, diff_effects
from silkway.scenarios.load import LoadedScenario, folder_digest, load_scenario
from silkway.scenarios.numfmt import interval as interval  # re-exported: how the CLI prints a confidence interval
from silkway.scenarios.numfmt import num as num  # re-exported: how the CLI prints a number
from silkway.scenarios.store import DEFAULT_STORE, ResultsStore, StudyRecord
from silkway.scenarios.study import ReplicateFn, StudyRun, StudyScenario, StudySpec, run_study
from silkway.scenarios.summary import method_notes, summarize_kpis
from silkway.services._paths import StrPath
from silkway.services.network import load as load_network
from silkway.vocabulary import BackendKind

if TYPE_CHECKING:
    from silkway.scenarios.replicate import SimInputs
    from silkway.services.study_result import StudyResult


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


def load(path: StrPath) -> LoadedScenario:
    return load_scenario(path)


def network_for(loaded: LoadedScenario) -> Network:
    return load_network(loaded.scenario.dataset, loaded.scenario.as_of)


def check(path: StrPath) -> ScenarioCheck:
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


def diff(path_a: StrPath, path_b: StrPath) -> tuple[list[Change], list[Change]]:
    """(differences of the resolved definitions, differences of their effect on the network/options)."""
    a, b = load_scenario(path_a), load_scenario(path_b)
    if a.scenario.dataset != b.scenario.dataset:
        return diff_definitions(a.scenario, b.scenario), []
    net = network_for(a)
    return diff_definitions(a.scenario, b.scenario), _located(b, lambda: diff_effects(a.scenario, b.scenario, net))


def prepare(loaded: LoadedScenario) -> StudyScenario[SimInputs]:
    """Apply a scenario to its dataset and demand: the inputs every replication of it receives."""
    net = network_for(loaded)
    from silkway.simulation import dataset_demand, read_demand

    if loaded.scenario.demand.file:
        demand = read_demand(loaded.scenario.demand.file, net, within=Path(loaded.scenario.demand.file).parent)
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


def make_spec(paths: Sequence[StrPath], replications: int, seed: int = 0, days: int | None = None, crn: bool = True,
              detail_reps: int = 3, label: str | None = None) -> StudySpec:
    refuse_in_spawn_bootstrap()
    if not paths:
        raise ScenarioError("a study needs at least one scenario file")
    _check((limits.REPLICATIONS, replications, "replications"), (limits.SEED, seed, "seed"),
           *(((limits.DAYS, days, "days"),) if days is not None else ()))
    if replications * len(paths) > limits.STUDY_RUNS:
        raise ScenarioError(f"{replications:,} replications × {len(paths)} scenario(s) is more than the {limits.STUDY_RUNS:,} runs "
                            "a study may hold")
    loaded = [load_scenario(p) for p in paths]
    names = [s.name for s in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"scenario names must differ within a study: {', '.join(dupes)}")
    versions = {dataset_version(s) for s in loaded}
    horizon = days if days is not None else (loaded[0].scenario.simulation.days or 365)
    return StudySpec(tuple(prepare(s) for s in loaded), replications, seed=seed, days=horizon, crn=crn,
                     detail_reps=detail_reps, dataset_version=" | ".join(sorted(versions)), code_version=code_version(),
                     label=label)


def _check(*checks: tuple[limits.Bound, Any, str]) -> None:
    """Each (bound, value, name) in turn; the first value outside is a ScenarioError naming it."""
    for bound, value, name in checks:
        try:
            bound.check(value, name)
        except SilkwayError as exc:
            raise ScenarioError(str(exc)) from None


def backend_for(name: BackendKind | str, workers: int = 2, address: str | None = None) -> LocalBackend | DaskBackend:
    if name == BackendKind.LOCAL:
        _check((limits.WORKERS, workers, "workers"))
        return LocalBackend(workers)
    if name == BackendKind.DASK:
        if not address:
            raise ScenarioError("--backend dask needs --address tcp://HOST:PORT (a running Dask scheduler)")
        return DaskBackend(address)
    raise ScenarioError(f"unknown backend '{name}' (local or dask)")


def simulation_replicate() -> ReplicateFn[SimInputs]:
    from silkway.scenarios.replicate import simulate_replication

    return simulate_replication


def run(spec: StudySpec, store_path: StrPath = DEFAULT_STORE, backend: LocalBackend | DaskBackend | None = None,
        progress: Callable[[int, int], None] | None = None, replicate: ReplicateFn[Any] | None = None) -> StudyRun:
    refuse_in_spawn_bootstrap()  # before the store is opened (its lock would stop a worker re-running the script)
    with ResultsStore(store_path) as store:
        return run_study(spec, store, replicate or simulation_replicate(), backend or LocalBackend(2), progress)


def summary(study_ref: str = "latest", store_path: StrPath = DEFAULT_STORE) -> tuple[StudyRecord, pd.DataFrame]:
    """The study and its KPI table (:func:`silkway.scenarios.summary.summarize_kpis`, KPIs named with the study's places)."""
    with ResultsStore(store_path, read_only=True) as store:
        rec = store.study(study_ref)
        return rec, summarize_kpis(rec, store.kpis(rec.study_id), places=study_places(store, rec))


def study(scenarios: list[StrPath] | StrPath, replications: int = 10, *, seed: int = 0, days: int | None = None, crn: bool = True,
          store: StrPath = DEFAULT_STORE, workers: int = 2, label: str | None = None,
          progress: Callable[[int, int], None] | None = None) -> StudyResult:
    """Run (or resume) a study of scenario files, the first the baseline, and summarise it: the notebook entry point
    ``silkway.study(["examples/baseline-2023.yaml", "examples/green-channel.yaml"], replications=10)``."""
    from silkway.services.study_result import StudyResult

    paths = [scenarios] if isinstance(scenarios, (str, os.PathLike)) else list(scenarios)
    spec = make_spec(paths, replications, seed=seed, days=days, crn=crn, label=label)
    done = run(spec, store, LocalBackend(max(1, workers)), progress)
    rec, table = summary(spec.study_id, store)
    return StudyResult(rec, done, table, tuple(notes(rec, table)), Path(store))


def study_places(store: ResultsStore, rec: StudyRecord) -> Places:
    """Place names for the KPIs of a study, from the dataset its first scenario names (ids when it cannot be read)."""
    definition = next(iter(store.definitions([s["hash"] for s in rec.scenarios[:1]]).values()), {})
    try:
        return places_for(load_network(definition.get("dataset")))  # through the compiled cache, as every service
    except SilkwayError:
        return Places()


def notes(rec: StudyRecord, table: pd.DataFrame) -> list[str]:
    """How the study's statistics were computed, warnings first (CLI, report and web API print these)."""
    return method_notes(rec, table)


def export(study_ref: str, out_dir: StrPath, store_path: StrPath = DEFAULT_STORE) -> list[Path]:
    with ResultsStore(store_path, read_only=True) as store:
        return store.export_parquet(store.study(study_ref).study_id, out_dir)


def report(study_ref: str, out_dir: StrPath, store_path: StrPath = DEFAULT_STORE, capacity: Any = None,
           invest: StrPath | None = None) -> Path:
    """Write the self-contained HTML report of a study; returns the file written. ``capacity``: an optional
    :class:`silkway.report.html.CapacitySection` (the demo's capacity table and saturation curve); ``invest``: an invest
    result file (``invest.json`` of ``silkway invest --out``, or a stored ``result-*.json``) adds its section."""
    from silkway.report import build_report
    from silkway.services.invest import report_section

    section = report_section(invest) if invest is not None else None
    with ResultsStore(store_path, read_only=True) as store:
        rec = store.study(study_ref)
        return build_report(store, rec, Path(out_dir), capacity, section)


def calibrate(observed_path: StrPath, scenario_path: StrPath | None = None, *, days: int = 365, replications: int = 3,
              seed: int = 0, out: StrPath | None = None, progress: Callable[[int, dict[str, float]], None] | None = None) -> tuple[CalibrationResult, list[Observation]]:
    """Fit per-border demand factors to observed counts; write the calibrated demand CSV to ``out`` when the fit
    converged (``result.converged``; otherwise nothing is written).

    The network, demand and options are those of ``scenario_path`` (default: the embedded dataset
    with its default demand)."""
    from silkway.atomic import atomic_write_text
    from silkway.scenarios import calibrate as cal
    from silkway.scenarios.study import replication_seed
    from silkway.simulation import SimOptions, dataset_demand

    _check((limits.DAYS, days, "days"), (limits.REPLICATIONS, replications, "replications"), (limits.SEED, seed, "seed"))
    text = safe_io.read_text(observed_path, "observed")
    observations = cal.parse_observed(text, str(observed_path))
    if scenario_path is not None:
        inputs = prepare(load_scenario(scenario_path)).inputs.applied
        net, demand, options = inputs
    else:
        net = load_network(None)
        demand, options = dataset_demand(None, net), SimOptions()
    seeds = tuple(replication_seed(seed, "calibration", i) for i in range(replications))
    result = cal.calibrate(net, demand, options, observations, days=days, seeds=seeds, progress=progress)
    if out is not None and result.converged:  # a fit that missed its tolerance is shown, never written as a demand
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


def demo_scenarios(examples_dir: StrPath | None = None) -> list[Path]:
    """The demo's scenario files in ``examples_dir`` (default: the examples shipped with the package); a clear error
    when one is missing."""
    folder = examples_dir_default() if examples_dir is None else Path(examples_dir)
    missing = [n for n in DEMO_SCENARIOS if not (folder / n).is_file()]
    if missing:
        raise ScenarioError(f"{folder}: missing example scenario(s) {', '.join(missing)} (leave out --examples to use the "
                            "ones shipped with silkway)")
    return [folder / n for n in DEMO_SCENARIOS]


def demo(examples_dir: StrPath | None = None, *, replications: int = 20, seed: int = 2023, store_path: StrPath = DEFAULT_STORE,
         out_dir: StrPath = "silkway-report", backend: LocalBackend | DaskBackend | None = None,
         progress: Callable[[int, int], None] | None = None, routes: list[Any] | None = None) -> DemoResult:
    """The main job: headline routes, then baseline-2023 vs double-trade vs green-channel, then the report."""
    from silkway.scenarios.headline import breaks_where, what_it_buys

    paths = demo_scenarios(examples_dir)
    routes = demo_routes() if routes is None else routes
    spec = make_spec(paths, replications, seed=seed, label="demo: baseline-2023 vs double-trade vs green-channel")
    run_ = run(spec, store_path, backend, progress)
    rec, table = summary(spec.study_id, store_path)
    names = [s["name"] for s in rec.scenarios]
    lines, section = _demo_capacity(paths[0], seed) if run_.complete else ([], None)
    path = report(spec.study_id, out_dir, store_path, section) if run_.complete else Path(out_dir) / "report.html"
    return DemoResult(routes, run_, rec, table, breaks_where(table, names[1], names[0]), what_it_buys(table, names[2], names[0]), path,
                      lines)


# the demo's saturation curve: ≈ 20 s, enough to show the plateau
DEMO_CURVE_MULTIPLIERS, DEMO_CURVE_REPLICATIONS, DEMO_CURVE_DAYS = (0.5, 1.0, 2.0, 3.0), 2, 60.0


def _demo_capacity(baseline: Path, seed: int) -> tuple[list[str], Any]:
    """The baseline's analytic capacity per corridor and a small saturation curve, for the demo and its report."""
    import io

    from silkway.capacity.curve import curve_figure
    from silkway.report.html import CapacitySection
    from silkway.scenarios.headline import capacity_lines
    from silkway.services.capacity import capacity, saturation_curve, with_capacity

    got, cap = capacity(scenario=baseline)
    lines = capacity_lines(cap)
    curve = with_capacity(saturation_curve(got, DEMO_CURVE_MULTIPLIERS, replications=DEMO_CURVE_REPLICATIONS,
                                           days=DEMO_CURVE_DAYS, seed=seed), cap)
    buf = io.BytesIO()
    curve_figure(curve.table, curve.capacity_teu_year, f"Saturation curve — {got.label}").savefig(buf, format="png")
    note = (f"multipliers {', '.join(f'{m:g}' for m in curve.multipliers)}; {len(curve.seeds)} replications of {curve.days:g} days "
            f"each (seeds {', '.join(map(str, curve.seeds))}); dashed lines: analytic capacity of each corridor alone. "
            "Larger curves: silkway capacity --curve.")
    return lines, CapacitySection(got.label, tuple(lines), buf.getvalue(), note)


def headline_kpis(table: pd.DataFrame) -> list[str]:
    """KPIs printed by default, chosen by relevance (the rest with ``--all`` and in the report)."""
    from silkway.scenarios.headline import headline_kpis as chosen

    return chosen(table)


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
