"""Confidence intervals and t-tests for replication results (Student t; no SciPy needed at run time).

The t-distribution CDF uses the regularised incomplete beta function (continued fraction, modified
Lentz); quantiles invert it by bisection. ``tests/scenarios/test_stats.py`` checks both against SciPy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """Mean with a two-sided confidence interval (``half_width`` = nan with fewer than 2 values)."""

    mean: float
    half_width: float
    n: int
    std: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


@dataclass(frozen=True)
class Comparison:
    """Difference ``b - a`` of two samples, its confidence interval and the two-sided p-value."""

    diff: float
    half_width: float
    p_value: float
    df: float
    test: str  # "welch" or "paired"

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha


def mean_ci(values: Sequence[float], level: float = 0.95) -> Interval:
    xs = [float(v) for v in values]
    n = len(xs)
    if n == 0:
        return Interval(math.nan, math.nan, 0, math.nan)
    m = math.fsum(xs) / n
    if n < 2:
        return Interval(m, math.nan, n, math.nan)
    sd = math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (n - 1))
    return Interval(m, t_ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n), n, sd)


def welch(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Comparison:
    """Welch's unequal-variance t-test of mean(b) - mean(a)."""
    ia, ib = mean_ci(a, level), mean_ci(b, level)
    diff = ib.mean - ia.mean
    if ia.n < 2 or ib.n < 2:
        return Comparison(diff, math.nan, math.nan, math.nan, "welch")
    va, vb = ia.std**2 / ia.n, ib.std**2 / ib.n
    se2 = va + vb
    if se2 == 0:
        return Comparison(diff, 0.0, 0.0 if diff != 0 else 1.0, math.inf, "welch")
    df = se2**2 / ((va**2 / (ia.n - 1) if va else 0.0) + (vb**2 / (ib.n - 1) if vb else 0.0))
    se = math.sqrt(se2)
    return Comparison(diff, t_ppf(0.5 + level / 2, df) * se, 2 * t_sf(abs(diff) / se, df), df, "welch")


def paired(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Comparison:
    """Paired t-test of b - a (for common random numbers: replication i of both used the same seed)."""
    if len(a) != len(b):
        raise ValueError("paired test needs samples of equal length")
    d = mean_ci([y - x for x, y in zip(a, b, strict=True)], level)
    if d.n < 2:
        return Comparison(d.mean, math.nan, math.nan, math.nan, "paired")
    se = d.std / math.sqrt(d.n)
    if se == 0:
        return Comparison(d.mean, 0.0, 0.0 if d.mean != 0 else 1.0, d.n - 1, "paired")
    return Comparison(d.mean, d.half_width, 2 * t_sf(abs(d.mean) / se, d.n - 1), d.n - 1, "paired")


def t_cdf(t: float, df: float) -> float:
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2))
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


def t_sf(t: float, df: float) -> float:
    return t_cdf(-t, df)


def t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t (bisection on the CDF to ~1e-12)."""
    if not 0 < p < 1:
        raise ValueError("p must be in (0, 1)")
    if p == 0.5:
        return 0.0
    lo, hi = -1.0, 1.0
    while t_cdf(lo, df) > p:
        lo *= 2
    while t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, abs(mid)):
            break
    return (lo + hi) / 2


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(ln_front) * _betacf(a, b, x) / a
    return 1 - math.exp(ln_front) * _betacf(b, a, 1 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < eps:
            break
    return h
