"""KN ranking and selection, verified on normal outputs with known means (the least favourable configuration:
the best exactly δ ahead of all others), with and without common random numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from silkway.invest.select import kn_eta, kn_select


def normal_sampler(means: dict[frozenset[str], float], rng: np.random.Generator, common_sd: float, sd: float = 1.0):
    """Replication r of every system shares Z_r (common random numbers) plus its own noise."""
    rows: dict[frozenset[str], list[float]] = {p: [] for p in means}
    common: list[float] = []

    def sample(portfolios: Sequence[frozenset[str]], n: int) -> dict[frozenset[str], list[float]]:
        while len(common) < n:
            common.append(rng.normal(0, common_sd))
        for p in portfolios:
            while len(rows[p]) < n:
                rows[p].append(means[p] + common[len(rows[p])] + rng.normal(0, sd))
        return {p: rows[p][:n] for p in portfolios}
    return sample


@pytest.mark.parametrize("common_sd", [0.0, 3.0])
def test_probability_of_correct_selection(common_sd: float) -> None:
    delta, alpha, k, macro = 0.5, 0.05, 5, 200
    systems = [frozenset({f"p{i}"}) for i in range(k)]
    means = {p: (delta if i == 2 else 0.0) for i, p in enumerate(systems)}
    rng = np.random.default_rng(12345 + int(common_sd))
    correct = 0
    for _ in range(macro):
        sel = kn_select(systems, normal_sampler(means, rng, common_sd), alpha=alpha, delta=delta, n0=10, max_reps=10_000)
        assert sel.guaranteed
        correct += sel.best == systems[2]
    # P(CS) >= 1 - alpha = 0.95 is guaranteed; allow 2 binomial standard errors of the estimate (0.0154)
    print(f"\nKN, least favourable configuration (common sd {common_sd}): {correct}/{macro} correct selections")
    assert correct / macro >= 0.92, correct


def test_obvious_winner_is_found_fast_and_ties_go_to_the_cheaper() -> None:
    a, b, c = frozenset({"a"}), frozenset({"b"}), frozenset({"a", "b"})
    sample = normal_sampler({a: 10.0, b: 0.0, c: 10.0}, np.random.default_rng(1), 0.0, sd=0.0)
    sel = kn_select([a, b, c], sample, delta=1.0, n0=3, cost=lambda p: len(p))
    assert sel.best == a  # a and a+b tie exactly (zero variance): the cheaper wins
    assert sel.eliminated_at.get(b) == 3 and sel.stages == [3]


def test_cap_voids_the_guarantee() -> None:
    a, b = frozenset({"a"}), frozenset({"b"})
    sample = normal_sampler({a: 0.0, b: 0.0}, np.random.default_rng(2), 0.0)
    sel = kn_select([a, b], sample, delta=0.01, n0=5, max_reps=8)
    assert not sel.guaranteed and max(sel.replications.values()) == 8


def test_constants_and_errors() -> None:
    # η for k = 2, n0 = 10, α = 0.05: ½[(0.1)^(-2/9) − 1]
    assert kn_eta(0.05, 2, 10) == pytest.approx(0.5 * (0.1 ** (-2 / 9) - 1))
    with pytest.raises(ValueError, match="n0"):
        kn_select([frozenset({"a"}), frozenset()], lambda _p, _n: {}, delta=1, n0=1)
    with pytest.raises(ValueError, match="delta"):
        kn_select([frozenset({"a"}), frozenset()], lambda _p, _n: {}, delta=0)
