"""The investment plan: choose a portfolio within a budget, its frontier and its build order (pure orchestration).

1. **Candidates.** When the feasible portfolios (capital ≤ budget) are few (≤ ``enumerate_max``) all are candidates;
   otherwise Optuna's TPE searches (search.py), started from the greedy portfolio and each affordable project alone,
   and its ``top_k`` best distinct portfolios, plus the greedy build order's final portfolio, are the candidates.
2. **Build order.** Greedy by simulated marginal benefit per dollar (frontier.py).
3. **Selection.** KN over the candidates with common random numbers (select.py): P(correct selection) ≥ 1 − α when
   the best beats the rest by ≥ δ.
4. **Frontier.** Every portfolio simulated with ≥ ``reps`` replications within budget, benefit over doing nothing
   with a paired 95% interval, reduced to the efficient (monotone) frontier.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from silkway.invest.evaluate import Evaluator, Judge
from silkway.invest.frontier import Point, Stage, benefit_point, build_order, efficient_frontier
from silkway.invest.model import EMPTY, Objective, Portfolio
from silkway.invest.search import tpe_search
from silkway.invest.select import Selection, kn_select


@dataclass(frozen=True)
class Settings:
    budget_usd: float
    reps: int = 5  # first-stage replications (KN's n0) and replications per evaluated portfolio
    alpha: float = 0.05  # 1 − α = the guaranteed probability of correct selection
    delta: float | None = None  # indifference zone in objective units (None: see default_delta)
    max_reps: int = 40  # cap on replications per candidate in KN (hitting it voids the guarantee; reported)
    enumerate_max: int = 24  # at most this many feasible portfolios: all are candidates (else TPE)
    trials: int = 40  # TPE trials for large sets
    top_k: int = 6  # TPE's best portfolios passed to KN
    batch: int = 4  # TPE trials asked at once (parallel evaluations)
    step: int = 1  # replications added per KN stage (the number of workers keeps them busy)
    seed: int = 0


@dataclass(frozen=True)
class InvestPlan:
    objective: Objective
    settings: Settings
    delta: float
    method: str  # "enumeration" or "tpe"
    candidates: tuple[Portfolio, ...]
    selection: Selection
    best: Point
    frontier: list[Point]
    stages: list[Stage]
    simulations_run: int
    simulations_total: int


def default_delta(objective: Objective, base_mean: float, budget_usd: float) -> float:
    """0.5% of the do-nothing objective (1 unit when it is 0); for NPV 1% of the budget."""
    if objective is Objective.NPV:
        return max(0.01 * budget_usd, 1.0)
    return 0.005 * abs(base_mean) if base_mean else 1.0


def feasible_portfolios(judge: Judge, budget_usd: float, limit: int) -> list[Portfolio] | None:
    """All portfolios within budget (doing nothing included), or None when there are more than ``limit``."""
    projects = judge.catalogue.projects
    if len(projects) > 20:
        return None
    out: list[Portfolio] = []
    for r in range(len(projects) + 1):
        for combo in itertools.combinations(projects, r):
            if math.fsum(p.capital_usd for p in combo) <= budget_usd:
                out.append(frozenset(p.project_id for p in combo))
                if len(out) > limit:
                    return None
    return out


def plan(ev: Evaluator, judge: Judge, s: Settings) -> InvestPlan:
    sample = judge.sampler(ev)
    cost = judge.catalogue.cost
    base = sample([EMPTY], s.reps)[EMPTY]
    delta = s.delta if s.delta is not None else default_delta(judge.objective, float(np.mean(base)), s.budget_usd)
    stages = build_order(judge.catalogue, s.budget_usd, sample, s.reps)
    greedy = stages[-1].cumulative.portfolio if stages else EMPTY
    every = feasible_portfolios(judge, s.budget_usd, s.enumerate_max)
    if every is not None:
        method, candidates = "enumeration", every
    else:
        method = "tpe"
        singles = [frozenset({p.project_id}) for p in judge.catalogue.projects if p.capital_usd <= s.budget_usd]
        means = tpe_search(judge.catalogue, s.budget_usd, sample, reps=s.reps, trials=s.trials, batch=s.batch, seed=s.seed,
                           start=[greedy, *singles])
        ranked = sorted(means, key=lambda p: (-means[p], cost(p)))
        candidates = list(dict.fromkeys([*ranked[: s.top_k], greedy]))
    selection = kn_select(candidates, sample, alpha=s.alpha, delta=delta, n0=s.reps, max_reps=s.max_reps, step=s.step, cost=cost)
    n_best = selection.replications[selection.best]
    got = sample([selection.best], n_best)
    best = benefit_point(selection.best, got[selection.best], sample([EMPTY], n_best)[EMPTY], cost(selection.best))
    pool = [p for p in ev.evaluated(s.reps) if cost(p) <= s.budget_usd and set(p) <= set(judge.catalogue.ids)]
    values = sample(pool, s.reps)
    points = [benefit_point(p, values[p], base, cost(p)) for p in pool]
    total = sum(ev.reps_of(p) for p in ev.evaluated(1))
    return InvestPlan(judge.objective, s, delta, method, tuple(candidates), selection, best, efficient_frontier(points), stages,
                      ev.ran, total)


def probability_statement(p: InvestPlan) -> str:
    s = p.selection
    guarantee = (f"P(correct selection) ≥ {1 - s.alpha:.2f} when the best beats every other candidate by ≥ δ = {p.delta:,.4g}"
                 if s.guaranteed else f"replication cap {p.settings.max_reps} reached before KN's stopping rule: no guarantee")
    return f"KN (Kim & Nelson 2001) over {len(p.candidates)} candidates ({p.method}); {guarantee}"
