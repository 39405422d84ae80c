"""The efficient frontier of budget against benefit, and the staged build order (greedy by benefit per dollar).

Benefit = objective of a portfolio minus that of doing nothing, replication by replication (common random numbers,
so a paired t interval). Pure: the caller supplies ``sample`` (see select.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from silkway.invest.model import EMPTY, Catalogue, Portfolio
from silkway.invest.select import Sampler
from silkway.scenarios.stats import paired


@dataclass(frozen=True)
class Point:
    """A portfolio's cost and its benefit over doing nothing (mean and 95% paired-t interval)."""

    portfolio: Portfolio
    cost_usd: float
    benefit: float
    benefit_low: float
    benefit_high: float
    n: int


def benefit_point(portfolio: Portfolio, values: Sequence[float], base: Sequence[float], cost_usd: float, level: float = 0.95) -> Point:
    n = min(len(values), len(base))
    c = paired(list(base[:n]), list(values[:n]), level)
    hw = 0.0 if c.half_width != c.half_width else c.half_width  # nan (identical samples) → an exact zero-width interval
    return Point(portfolio, cost_usd, c.diff, c.diff - hw, c.diff + hw, n)


def efficient_frontier(points: Sequence[Point]) -> list[Point]:
    """The points no cheaper-or-equal point beats: sorted by cost, benefit strictly increasing (so monotone)."""
    out: list[Point] = []
    for p in sorted(points, key=lambda p: (p.cost_usd, -p.benefit)):
        if not out or p.benefit > out[-1].benefit:
            out.append(p)
    return out


def frontier_at(frontier: Sequence[Point], budgets: Sequence[float]) -> list[tuple[float, Point]]:
    """For each budget, the best frontier point that fits (doing nothing when none fits)."""
    out = []
    for b in budgets:
        fit = [p for p in frontier if p.cost_usd <= b]
        if fit:
            out.append((b, fit[-1]))
    return out


@dataclass(frozen=True)
class Stage:
    """One step of the build order: the project added, its marginal benefit (paired CI) and the cumulative portfolio."""

    project_id: str
    cost_usd: float
    marginal: Point  # benefit of adding the project to the previous stage's portfolio
    cumulative: Point  # benefit of the portfolio built so far over doing nothing
    per_million_usd: float  # marginal benefit per million USD of capital


def build_order(catalogue: Catalogue, budget_usd: float, sample: Sampler, reps: int) -> list[Stage]:
    """Greedy: repeatedly add the affordable project with the largest simulated marginal benefit per dollar among those
    whose marginal benefit is significantly positive (lower end of its paired 95% interval > 0); stop when none is.
    Every stage is simulated (checked, not assumed)."""
    current: Portfolio = EMPTY
    spent = 0.0
    stages: list[Stage] = []
    base = sample([EMPTY], reps)[EMPTY]
    while True:
        options = [p for p in catalogue.projects if p.project_id not in current and spent + p.capital_usd <= budget_usd]
        if not options:
            return stages
        trial = {p.project_id: current | {p.project_id} for p in options}
        got = sample([current, *trial.values()], reps)
        best = None
        for p in options:
            m = benefit_point(trial[p.project_id], got[trial[p.project_id]], got[current], p.capital_usd)
            ratio = m.benefit / max(p.capital_usd, 1.0)
            if m.benefit_low > 0 and (best is None or ratio > best[0]):  # significant gains only (paired 95% CI)
                best = (ratio, p, m)
        if best is None:
            return stages
        ratio, p, m = best
        current = trial[p.project_id]
        spent += p.capital_usd
        cum = benefit_point(current, got[current], base, spent)
        stages.append(Stage(p.project_id, p.capital_usd, m, cum, ratio * 1e6))
