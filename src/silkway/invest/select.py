"""Ranking and selection: the KN procedure of Kim & Nelson (2001), with common random numbers.

Select the portfolio with the largest mean objective among k candidates. Guarantee: if the best mean exceeds every
other by at least the indifference zone δ and the outputs are normal, the procedure selects the best with
probability ≥ 1 − α (Kim & Nelson, "A fully sequential procedure for indifference-zone selection in simulation",
ACM TOMACS 11(3), 2001). It allows common random numbers because it works on the variances of the *differences*
S²_il of paired replications:

    η = ½[(2α/(k−1))^(−2/(n0−1)) − 1],   h² = 2η(n0 − 1)
    after n0 replications of every candidate, at each r ≥ n0 keep i if  X̄_i(r) ≥ X̄_l(r) − W_il(r)  for all l,
    W_il(r) = max(0, δ/(2r) · (h² S²_il / δ² − r));  stop with one survivor or when r > N_il = ⌊h² S²_il / δ²⌋ for
    every pair of survivors, then the largest mean wins. (The paper stops at r = max over all pairs + 1; the proof
    bounds each pair's error through its own triangular continuation region, which has closed for every surviving
    pair at that point, so stopping there keeps the bound and saves the replications of pairs already decided.)

Ties in the mean are broken by lower cost. ``sample(portfolios, n)`` must return n objective values per portfolio,
replication i of every portfolio run with the same seed. Pure: no I/O; the caller supplies ``sample``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from silkway.invest.model import Portfolio

Sampler = Callable[[Sequence[Portfolio], int], dict[Portfolio, list[float]]]


@dataclass(frozen=True)
class Selection:
    best: Portfolio
    means: dict[Portfolio, float]
    replications: dict[Portfolio, int]  # replications each candidate received
    eliminated_at: dict[Portfolio, int]  # stage (replication count) at which each loser was screened out
    alpha: float
    delta: float
    n0: int
    guaranteed: bool  # False when the replication cap stopped the procedure before its own stopping rule
    stages: list[int] = field(default_factory=list)


def kn_eta(alpha: float, k: int, n0: int) -> float:
    return 0.5 * ((2 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)


def kn_select(candidates: Sequence[Portfolio], sample: Sampler, *, alpha: float = 0.05, delta: float, n0: int = 5,
              max_reps: int = 60, step: int = 1, cost: Callable[[Portfolio], float] = lambda _p: 0.0) -> Selection:
    """Run KN over ``candidates``; ``step`` replications are added per stage (1 = fully sequential)."""
    if n0 < 2:
        raise ValueError("KN needs n0 >= 2 first-stage replications")
    if delta <= 0:
        raise ValueError("the indifference zone delta must be > 0")
    cands = list(dict.fromkeys(candidates))
    if len(cands) == 1:
        x = sample(cands, n0)
        return Selection(cands[0], {cands[0]: float(np.mean(x[cands[0]]))}, {cands[0]: n0}, {}, alpha, delta, n0, True, [n0])
    k = len(cands)
    h2 = 2 * kn_eta(alpha, k, n0) * (n0 - 1)
    x = dict(sample(cands, n0))
    first = np.array([x[c][:n0] for c in cands], dtype=float)
    diffs = first[:, None, :] - first[None, :, :]
    s2 = diffs.var(axis=2, ddof=1)  # S²_il of the paired differences
    n_il = np.floor(h2 * s2 / delta**2)  # N_il: after this many replications W_il = 0
    alive = list(range(k))
    reps = {c: n0 for c in cands}
    eliminated: dict[Portfolio, int] = {}
    r, stages = n0, [n0]
    guaranteed = True
    while True:  # screen at r (first at n0), then stop or add replications
        stage = {i: float(np.mean(x[cands[i]][:r])) for i in alive}
        keep = []
        for i in alive:
            w = {j: max(0.0, delta / (2 * r) * (h2 * s2[i, j] / delta**2 - r)) for j in alive}
            if all(stage[i] >= stage[j] - w[j] for j in alive if j != i):
                keep.append(i)
        for i in set(alive) - set(keep):
            eliminated[cands[i]] = r
        alive = keep
        if len(alive) <= 1 or r > n_il[np.ix_(alive, alive)].max():  # every surviving pair past N_il: best mean wins
            break
        if r >= max_reps:
            guaranteed = False
            break
        r = min(r + step, max_reps)
        x.update(sample([cands[i] for i in alive], r))
        for i in alive:
            reps[cands[i]] = r
        stages.append(r)
    means = {c: float(np.mean(x[c][: reps[c]])) for c in cands}
    best = max((cands[i] for i in alive), key=lambda c: (means[c], -cost(c)))
    return Selection(best, means, reps, eliminated, alpha, delta, n0, guaranteed, stages)
