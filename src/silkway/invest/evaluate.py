"""Evaluate portfolios by simulation: replication i of every portfolio runs with the same seed (common random
numbers), on any study backend (local processes or Dask), each result handed to a store as it finishes.

The store is injected (:class:`EvalStore`), so this module does no I/O; ``invest/store.py`` writes one atomic file
per evaluation and a re-run loads them and skips what is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from silkway.invest.model import EMPTY, Catalogue, Objective, Portfolio, parse_portfolio, portfolio_hash, portfolio_key
from silkway.invest.objective import KPIS, Economics, value
from silkway.invest.patch import apply_portfolio
from silkway.scenarios.apply import Applied
from silkway.scenarios.study import Backend, Job, ReplicateFn, ReplicationOutput, replication_seed


class EvalStore(Protocol):
    def load(self) -> dict[tuple[str, int], dict[str, float]]:
        """Every stored evaluation: (portfolio key, replication) → KPIs."""
        ...

    def write(self, portfolio: Portfolio, rep: int, seed: int, kpis: Mapping[str, float], wall_s: float) -> None: ...


class MemoryStore:
    """An EvalStore that keeps nothing beyond the process (tests, throw-away runs)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], dict[str, float]] = {}

    def load(self) -> dict[tuple[str, int], dict[str, float]]:
        return dict(self.rows)

    def write(self, portfolio: Portfolio, rep: int, _seed: int, kpis: Mapping[str, float], _wall_s: float) -> None:
        self.rows[(portfolio_key(portfolio), rep)] = dict(kpis)


def invest_replication(job: Job, applied: Applied) -> ReplicationOutput:
    """One seeded simulation of a portfolio's network (runs in a worker): the KPIs the objectives need."""
    from silkway.simulation import simulate

    net, demand, options = applied
    k = simulate(net, demand, days=job.days, seed=job.seed, options=options).kpis()
    return ReplicationOutput({name: float(k.get(name, float("nan"))) for name in KPIS})


@dataclass(frozen=True)
class EvalSpec:
    """What every evaluation shares: the scenario applied (demand, options, base network), the projects, horizon, seed."""

    base: Applied
    catalogue: Catalogue
    days: int
    seed: int = 0
    crn: bool = True  # False only to measure what common random numbers buy (tests/invest/test_crn.py)

    def seed_of(self, portfolio: Portfolio, rep: int) -> int:
        return replication_seed(self.seed, portfolio_hash(portfolio), rep, crn=self.crn)


class Evaluator:
    """Simulate portfolios on demand, reusing every stored evaluation."""

    def __init__(self, spec: EvalSpec, backend: Backend, store: EvalStore, fn: ReplicateFn[Applied] = invest_replication,
                 progress: Callable[[int], None] | None = None):
        self.spec, self.backend, self.store, self.fn, self.progress = spec, backend, store, fn, progress
        self.cache = store.load()
        self.ran = 0  # simulations run by this evaluator (not loaded from the store)

    def kpis(self, portfolios: Iterable[Portfolio], n: int) -> dict[Portfolio, list[dict[str, float]]]:
        """KPIs of replications 0..n-1 of each portfolio (simulating only the missing ones)."""
        wanted = list(dict.fromkeys(portfolios))
        jobs = [Job(portfolio_key(p), portfolio_hash(p), r, self.spec.seed_of(p, r), self.spec.days, False)
                for r in range(n) for p in wanted if (portfolio_key(p), r) not in self.cache]
        if jobs:
            by_hash = {portfolio_hash(p): p for p in wanted}
            inputs = {h: self._applied(by_hash[h]) for h in {j.scenario_hash for j in jobs}}
            stream = self.backend.run(self.fn, jobs, inputs)
            try:
                for job, out in stream:
                    p = by_hash[job.scenario_hash]
                    self.store.write(p, job.rep, job.seed, out.kpis, out.wall_s)
                    self.cache[(job.scenario_name, job.rep)] = dict(out.kpis)
                    self.ran += 1
                    if self.progress:
                        self.progress(self.ran)
            finally:
                stream.close()  # type: ignore[attr-defined]
        return {p: [self.cache[(portfolio_key(p), r)] for r in range(n)] for p in wanted}

    def _applied(self, portfolio: Portfolio) -> Applied:
        net, demand, options = self.spec.base
        return Applied(apply_portfolio(net, self.spec.catalogue, portfolio), demand, options)

    def reps_of(self, portfolio: Portfolio) -> int:
        """How many consecutive replications (from 0) of ``portfolio`` are known."""
        key, n = portfolio_key(portfolio), 0
        while (key, n) in self.cache:
            n += 1
        return n

    def evaluated(self, min_reps: int) -> list[Portfolio]:
        """Every portfolio with at least ``min_reps`` known replications (from this run or the store)."""
        keys = dict.fromkeys(k for k, _ in self.cache)
        return [parse_portfolio(k) for k in keys if self.reps_of(parse_portfolio(k)) >= min_reps]


@dataclass(frozen=True)
class Judge:
    """Turns KPIs into objective values (every objective maximised)."""

    objective: Objective
    catalogue: Catalogue
    days: int
    economics: Economics | None = None

    def sampler(self, ev: Evaluator) -> Callable[[Sequence[Portfolio], int], dict[Portfolio, list[float]]]:
        def sample(portfolios: Sequence[Portfolio], n: int) -> dict[Portfolio, list[float]]:
            got = ev.kpis([EMPTY, *portfolios], n)
            base = got[EMPTY]
            return {p: [value(self.objective, k, b, self.catalogue, p, self.days, self.economics)
                        for k, b in zip(got[p], base, strict=True)] for p in portfolios}
        return sample
