"""Investment-planning use cases (``silkway invest``, the Python API): read the candidate projects of a dataset,
evaluate portfolios by simulation on Dask (a local cluster by default) or local processes, store each evaluation
as it finishes (resumable), and return the plan (selected portfolio, frontier, build order).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from silkway.defaults import DEFAULT_STORE
from silkway.errors import ScenarioError
from silkway.invest.evaluate import EvalSpec, EvalStore, Evaluator, Judge, MemoryStore
from silkway.invest.model import Catalogue, Objective, portfolio_key
from silkway.invest.objective import Economics
from silkway.invest.plan import InvestPlan, Settings, plan, probability_statement
from silkway.invest.result import InvestResult, summarise
from silkway.network.model import Network
from silkway.scenarios.backends import DaskBackend, LocalBackend
from silkway.scenarios.study import Backend
from silkway.services._paths import StrPath
from silkway.services.projects import catalogue_digest, read_catalogue, validate_projects
from silkway.vocabulary import BackendKind

__all__ = ["DEFAULT_INVEST_STORE", "InvestOutcome", "InvestRequest", "backend_for", "catalogue_digest", "invest", "plan_investments",
           "portfolio_key", "probability_statement", "read_catalogue", "validate_projects", "write_outputs", "write_plot"]

DEFAULT_INVEST_STORE = Path(DEFAULT_STORE).parent / "invest"


@dataclass(frozen=True)
class InvestRequest:
    scenario: StrPath
    budget_usd: float
    objective: Objective = Objective.DELIVERED
    replications: int = 5
    days: int | None = None  # default: the scenario's horizon (or 365)
    seed: int = 0
    alpha: float = 0.05
    delta: float | None = None
    max_reps: int = 40
    trials: int = 40
    projects: tuple[str, ...] = ()  # restrict to these project ids (default: every project of the dataset)
    workers: int = 2
    address: str | None = None  # an existing Dask scheduler (tcp://host:port)
    backend: BackendKind = BackendKind.DASK  # a local Dask cluster unless --address; or local processes
    store: StrPath | None = DEFAULT_INVEST_STORE  # None: keep nothing (no resume)


@dataclass(frozen=True)
class InvestOutcome:
    plan: InvestPlan
    catalogue: Catalogue
    scenario_name: str
    days: int
    store_dir: Path | None
    loaded: int  # evaluations found in the store at the start
    result: InvestResult
    geometry: dict[str, dict[str, list[Any]]]  # project id → where it acts (lines, points): the map of chosen upgrades
    network: Network  # the scenario's network (before any project): the map's background


MODEL_PACKAGES = ("simulation", "network", "scenarios", "invest", "routing", "capacity")


def model_code_digest(root: Path | None = None) -> str:
    """``silkway <version>`` plus a SHA-256 over the source of every package whose code decides an evaluation's result.

    The store's run id is keyed on it, not on the git commit: a commit that only touches docs, tests or the web app
    keeps every stored simulation, while an edit of the model's code (in a checkout or an installed copy alike) starts
    a new run."""
    from silkway import __version__

    root = root or Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for pkg in MODEL_PACKAGES:
        for f in sorted((root / pkg).rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return f"silkway {__version__} {h.hexdigest()[:16]}"


def invest(req: InvestRequest, progress: Callable[[int], None] | None = None) -> InvestOutcome:
    from silkway.services.studies import dataset_version, load, prepare

    if req.budget_usd < 0:
        raise ScenarioError("--budget must be >= 0")
    if req.replications < 2:
        raise ScenarioError("--replications must be at least 2 (KN needs a first-stage variance)")
    loaded = load(req.scenario)
    prepared = prepare(loaded)
    applied = prepared.inputs.applied
    catalogue = read_catalogue(loaded.scenario.dataset, applied.network)
    if req.projects:
        unknown = sorted(set(req.projects) - set(catalogue.ids))
        if unknown:
            raise ScenarioError(f"unknown project id(s): {', '.join(unknown)} (known: {', '.join(catalogue.ids)})")
        catalogue = catalogue.subset(req.projects)
    days = req.days or loaded.scenario.simulation.days or 365
    economics = Economics.from_params(applied.network.param) if req.objective is Objective.NPV else None
    spec = EvalSpec(applied, catalogue, days, req.seed)
    store: EvalStore
    if req.store is None:
        store, store_dir = MemoryStore(), None
    else:
        from silkway.invest.store import FileStore

        fingerprint = {"scenario": loaded.hash, "projects": catalogue_digest(loaded.scenario.dataset), "days": days,
                       "seed": req.seed, "dataset": dataset_version(loaded), "model": model_code_digest()}
        fs = FileStore(req.store, fingerprint)
        store, store_dir = fs, fs.dir
    settings = Settings(req.budget_usd, req.replications, req.alpha, req.delta, req.max_reps, trials=req.trials,
                        batch=max(2, 2 * req.workers), step=max(1, req.workers), seed=req.seed)
    t0 = time.perf_counter()
    with backend_for(req) as backend:
        ev = Evaluator(spec, backend, store, progress=progress)
        found = len(ev.cache)
        result = plan(ev, Judge(req.objective, catalogue, days, economics), settings)
    from silkway.report.invest_map import project_geometry

    sc = loaded.scenario
    summary = summarise(result, catalogue, loaded.name, days, time.perf_counter() - t0, store_dir.name if store_dir else None,
                        None if sc.dataset is None else str(sc.dataset), None if sc.as_of is None else sc.as_of.isoformat())
    geometry = project_geometry(applied.network, catalogue)
    if store_dir is not None:
        from silkway.invest.store import write_result

        write_result(store_dir, summary, geometry)
    return InvestOutcome(result, catalogue, loaded.name, days, store_dir, found, summary, geometry, applied.network)


def plan_investments(scenario: StrPath, budget_usd: float, objective: Objective | str = Objective.DELIVERED,
                     **options: object) -> InvestResult:
    """The Python API (``silkway.plan_investments``; ``silkway.invest`` is the package): choose the portfolio within ``budget_usd`` for a demand scenario; returns
    the result (``.best``, ``.frontier``, ``.stages``, ``.to_frame()``, ``.build_order_frame()``). ``options`` are the
    other fields of :class:`InvestRequest` (``replications``, ``days``, ``seed``, ``workers``, ``store``, …)."""
    return invest(InvestRequest(scenario, budget_usd, Objective(objective), **options)).result  # type: ignore[arg-type]


@contextmanager
def backend_for(req: InvestRequest) -> Iterator[Backend]:
    """Dask at ``address``; else a local Dask cluster of ``workers`` processes (``backend="dask"``), or local processes."""
    if req.address:
        yield DaskBackend(req.address)
        return
    if req.backend == BackendKind.LOCAL or req.workers <= 1:
        yield LocalBackend(max(1, req.workers))
        return
    if req.backend != BackendKind.DASK:
        raise ScenarioError(f"unknown backend '{req.backend}' (dask or local)")
    from distributed import LocalCluster

    # no dashboard, and the scheduler's own small HTTP server (health, metrics) on a free loopback port: its default,
    # 8787, made a second cluster on the machine (two invest runs) print distributed's "Port 8787 is already in use"
    cluster = LocalCluster(n_workers=req.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.CRITICAL,
                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    try:
        yield DaskBackend(cluster.scheduler_address)
    finally:
        cluster.close()


def write_plot(outcome: InvestOutcome, path: StrPath) -> Path:
    """The frontier chart as a PNG (written atomically)."""
    from silkway.atomic import atomic_write_bytes

    return atomic_write_bytes(path, frontier_png(outcome.result))


def frontier_png(result: InvestResult) -> bytes:
    from silkway.invest.plot import frontier_figure
    from silkway.report.plots import png

    return png(frontier_figure(result))


def map_png(result: InvestResult, geometry: dict[str, dict[str, list[Any]]], network: Network) -> bytes:
    from silkway.report.invest_map import upgrades_map

    return upgrades_map(network, result, geometry)


def load_result(path: StrPath) -> tuple[InvestResult, dict[str, dict[str, list[Any]]]]:
    """A result written by ``silkway invest --out`` (``invest.json``) or kept in the store (``result-*.json``)."""
    import json

    from silkway import safe_io

    p = Path(path)
    try:
        d = json.loads(safe_io.read_text(p, "result"))
        return InvestResult.from_dict(d["result"]), d["geometry"]
    except safe_io.UnsafeFile as exc:
        raise ScenarioError(f"{p}: cannot read the invest result: {exc.reason}") from None
    except RecursionError:
        raise ScenarioError(f"{p}: not an invest result (invest.json of `silkway invest --out`): nested too deeply") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ScenarioError(f"{p}: not an invest result (invest.json of `silkway invest --out`): {exc}") from None


def stored_runs(root: StrPath = DEFAULT_INVEST_STORE) -> list[dict[str, object]]:
    """Every stored invest result under ``root``, newest first: run id, result file, scenario, objective, budget,
    selected portfolio, build order, finished time."""
    from silkway.invest.store import stored_results

    out = []
    for run, name, d in stored_results(root):
        try:
            r = InvestResult.from_dict(d["result"])
        except (KeyError, TypeError, ValueError):
            continue
        out.append({"run_id": run, "result": name.removesuffix(".json"), "scenario": r.scenario, "objective": r.objective.value,
                    "budget_usd": r.budget_usd, "days": r.days, "selected": r.best.portfolio, "build_order": list(r.build_order),
                    "simulations": r.simulations_total, "finished_utc": d.get("finished_utc")})
    return out


def stored_result(root: StrPath, run_id: str, result: str) -> tuple[InvestResult, dict[str, dict[str, list[Any]]]] | None:
    """A stored result by run id and file stem (``result-delivered-1500000000``); None if there is none."""
    p = Path(root) / run_id / f"{result}.json"
    return load_result(p) if p.is_file() else None


def background_network(result: InvestResult) -> Network:
    """The network a result's map is drawn over (the scenario's dataset as of its date), through the compiled cache."""
    from silkway.services.network import load

    return load(result.dataset, result.as_of)


def report_section(path: StrPath) -> str:
    """The HTML report's section for an invest result file: frontier chart, map of the chosen upgrades, tables."""
    from silkway.report.invest_section import invest_section

    r, geometry = load_result(path)
    return invest_section(r, frontier_png(r), map_png(r, geometry, background_network(r)))


def write_outputs(outcome: InvestOutcome, out_dir: StrPath) -> list[Path]:
    """Next to the printed tables: ``frontier.csv``, ``build_order.csv``, ``invest.json`` (the result and the
    projects' geometry), ``frontier.png`` and ``upgrades_map.png`` in ``out_dir`` (each written atomically)."""
    import json

    from silkway.atomic import atomic_write_bytes, atomic_write_text

    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    r = outcome.result
    return [atomic_write_text(d / "frontier.csv", r.to_frame().to_csv(index=False)),
            atomic_write_text(d / "build_order.csv", r.build_order_frame().to_csv(index=False)),
            atomic_write_text(d / "invest.json", json.dumps({"result": r.to_dict(), "geometry": outcome.geometry}, indent=1) + "\n"),
            atomic_write_bytes(d / "frontier.png", frontier_png(r)),
            atomic_write_bytes(d / "upgrades_map.png", map_png(r, outcome.geometry, outcome.network))]


def invest_store_of(results_dir: StrPath) -> Path:
    """The invest store inside a results folder (the web app's ``results_dir``): ``results_dir/invest``."""
    return Path(results_dir) / DEFAULT_INVEST_STORE.name


@dataclass(frozen=True)
class InvestRunner:
    """An investment plan as a background job of the web app: local worker processes (``workers``; 1 = in the job's
    thread), the store under the app's results folder, progress after each simulation (a cancelled job stops there:
    finished evaluations stay stored and a new job with the same inputs resumes)."""

    workers: int = 2

    def __call__(self, ctx: Any, fields: dict[str, Any], store: Path) -> dict[str, Any]:
        ctx.progress(0, 0, "preparing the scenario and the projects")
        req = InvestRequest(fields["scenario"], fields["budget_usd"], Objective(fields["objective"]), fields["replications"],
                            fields["days"], fields["seed"], delta=fields.get("delta"), max_reps=fields["max_reps"], trials=fields["trials"],
                            projects=tuple(fields["projects"]), workers=self.workers, backend=BackendKind.LOCAL, store=store)

        def progress(n: int) -> None:
            ctx.progress(n, 0, f"{n} simulations run")

        out = invest(req, progress=progress)
        r = out.result
        return {"run_id": r.run_id, "result": Path(result_file(r)).stem, "selected": r.best.portfolio,
                "build_order": list(r.build_order), "simulations_run": r.simulations_run, "wall_s": r.wall_s}


def result_file(r: InvestResult) -> str:
    from silkway.invest.store import result_name

    return result_name(r.objective.value, r.budget_usd)
