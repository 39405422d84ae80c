"""TPE search on a synthetic knapsack whose optimum is known by brute force: only feasible portfolios are evaluated,
and started from the greedy solution it ends at least as good as greedy and close to the optimum."""

from __future__ import annotations

import itertools
import math

import numpy as np

from silkway.invest.model import Catalogue, Project
from silkway.invest.search import tpe_search


def test_tpe_on_a_known_knapsack() -> None:
    rng = np.random.default_rng(0)
    n, budget = 12, 20.0
    w, c = rng.uniform(1, 10, n), rng.uniform(1, 10, n)
    cat = Catalogue(tuple(Project(f"p{i}", f"p{i}", "port", float(c[i]), 0.0, 0.0, ()) for i in range(n)))
    calls: list[frozenset[str]] = []

    def value(p: frozenset[str]) -> float:
        return math.fsum(w[int(i[1:])] for i in p)  # exact: equal sets may iterate in different orders

    def sample(ps, reps):
        calls.extend(ps)
        return {p: [value(p)] * reps for p in ps}

    greedy: set[str] = set()
    for i in sorted(range(n), key=lambda i: -w[i] / c[i]):
        if cat.cost(greedy | {f"p{i}"}) <= budget:
            greedy.add(f"p{i}")
    means = tpe_search(cat, budget, sample, reps=2, trials=60, batch=4, seed=1, start=[frozenset(greedy)])
    optimum = max(sum(w[list(s)]) for r in range(n + 1) for s in itertools.combinations(range(n), r) if sum(c[list(s)]) <= budget)
    assert all(cat.cost(p) <= budget for p in calls)  # over-budget proposals are never simulated
    best = max(means.values())
    assert best >= value(frozenset(greedy)) and best >= 0.9 * optimum, (best, value(frozenset(greedy)), optimum)
