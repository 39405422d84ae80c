"""Investment-planning use cases (``silkway invest``, the Python API): read the candidate projects of a dataset,
evaluate portfolios by simulation on Dask (a local cluster by default) or local processes, store each evaluation
as it finishes (resumable), and return the plan (selected portfolio, frontier, build order).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from silkway.defaults import DEFAULT_STORE
from silkway.errors import ScenarioError
from silkway.invest.evaluate import EvalSpec, EvalStore, Evaluator, Judge, MemoryStore
from silkway.invest.model import Catalogue, Objective, portfolio_key
from silkway.invest.objective import Economics
from silkway.invest.plan import InvestPlan, Settings, plan, probability_statement
from silkway.scenarios.backends import DaskBackend, LocalBackend
from silkway.scenarios.study import Backend
from silkway.services.projects import catalogue_digest, read_catalogue, validate_projects
from silkway.vocabulary import BackendKind

__all__ = ["DEFAULT_INVEST_STORE", "InvestOutcome", "InvestRequest", "backend_for", "catalogue_digest", "invest", "portfolio_key",
           "probability_statement", "read_catalogue", "validate_projects", "write_plot"]

PathLike = str | os.PathLike[str]
DEFAULT_INVEST_STORE = Path(DEFAULT_STORE).parent / "invest"


@dataclass(frozen=True)
class InvestRequest:
    scenario: PathLike
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
    store: PathLike | None = DEFAULT_INVEST_STORE  # None: keep nothing (no resume)


@dataclass(frozen=True)
class InvestOutcome:
    plan: InvestPlan
    catalogue: Catalogue
    scenario_name: str
    days: int
    store_dir: Path | None
    loaded: int  # evaluations found in the store at the start


def invest(req: InvestRequest, progress: Callable[[int], None] | None = None) -> InvestOutcome:
    from silkway.services.studies import code_version, dataset_version, load, prepare

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
                       "seed": req.seed, "dataset": dataset_version(loaded), "code": code_version()}
        fs = FileStore(req.store, fingerprint)
        store, store_dir = fs, fs.dir
    settings = Settings(req.budget_usd, req.replications, req.alpha, req.delta, req.max_reps, trials=req.trials,
                        batch=max(2, 2 * req.workers), step=max(1, req.workers), seed=req.seed)
    with backend_for(req) as backend:
        ev = Evaluator(spec, backend, store, progress=progress)
        found = len(ev.cache)
        result = plan(ev, Judge(req.objective, catalogue, days, economics), settings)
    return InvestOutcome(result, catalogue, loaded.name, days, store_dir, found)


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

    cluster = LocalCluster(n_workers=req.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    try:
        yield DaskBackend(cluster.scheduler_address)
    finally:
        cluster.close()


def write_plot(outcome: InvestOutcome, path: PathLike) -> Path:
    """The frontier chart as a PNG (written atomically)."""
    import io

    from silkway.atomic import atomic_write_bytes
    from silkway.invest.plot import frontier_figure

    p = outcome.plan
    title = (f"{outcome.scenario_name}: objective {p.objective.value}, budget {p.settings.budget_usd / 1e6:,.0f} M USD, "
             f"{p.settings.reps} CRN replications of {outcome.days} days")
    buf = io.BytesIO()
    frontier_figure(p, title).savefig(buf, format="png")
    return atomic_write_bytes(path, buf.getvalue())
