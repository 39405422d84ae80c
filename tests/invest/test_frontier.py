"""The efficient frontier is monotone and keeps exactly the undominated portfolios; intervals are paired."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from silkway.invest.frontier import Point, benefit_point, efficient_frontier, frontier_at


def _pt(name: str, cost: float, benefit: float) -> Point:
    return Point(frozenset({name}), cost, benefit, benefit - 1, benefit + 1, 5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e9), st.floats(-1e6, 1e6)), min_size=1, max_size=30))
def test_frontier_is_monotone_and_undominated(pairs: list[tuple[float, float]]) -> None:
    points = [_pt(str(i), c, b) for i, (c, b) in enumerate(pairs)]
    fr = efficient_frontier(points)
    assert all(a.cost_usd <= b.cost_usd and a.benefit < b.benefit for a, b in zip(fr, fr[1:], strict=False))
    for p in points:  # every point is matched by a frontier point that costs no more and gives at least as much
        assert any(q.cost_usd <= p.cost_usd and q.benefit >= p.benefit for q in fr)
    for q in fr:  # and no point strictly dominates a frontier point
        assert not any((p.cost_usd < q.cost_usd and p.benefit >= q.benefit) or (p.cost_usd <= q.cost_usd and p.benefit > q.benefit)
                       for p in points)


def test_frontier_at_budgets() -> None:
    fr = efficient_frontier([_pt("a", 0, 0), _pt("b", 10, 5), _pt("c", 20, 4), _pt("d", 30, 9)])
    assert [p.portfolio for p in fr] == [frozenset({"a"}), frozenset({"b"}), frozenset({"d"})]
    assert [(b, p.cost_usd) for b, p in frontier_at(fr, [5, 25, 100])] == [(5, 0), (25, 10), (100, 30)]


def test_benefit_is_a_paired_difference() -> None:
    rng = np.random.default_rng(0)
    base = list(rng.normal(100, 10, 8))
    better = [b + 3 for b in base]  # exactly 3 more on every common seed: a zero-width interval
    p = benefit_point(frozenset({"x"}), better, base, 1.0)
    assert p.benefit == np.float64(3.0) or abs(p.benefit - 3) < 1e-9
    assert abs(p.benefit_high - p.benefit_low) < 1e-9
