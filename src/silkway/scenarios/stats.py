"""Confidence intervals, t-tests and multiple-comparison corrections for replication results (SciPy).

- :func:`mean_ci`: Student-t interval of a mean; a KPI that cannot leave ``[lower, upper]`` (a count, a queue
  maximum, a share) gets its interval clipped to those bounds and marked ``clipped`` so that views can say so.
- :func:`paired`: paired t-test of ``b - a`` (common random numbers: replication i of both used the same seed).
- :func:`welch`: Welch's unequal-variance t-test (independent seeds).
- :func:`adjust`: Holm (family-wise error) or Benjamini–Hochberg (false discovery rate) adjusted p-values.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats as st


class Correction(StrEnum):
    """How the p-values of one scenario's KPIs (one family) are adjusted for testing many KPIs at once."""

    HOLM = "holm"  # Holm–Bonferroni step-down: family-wise error rate ≤ alpha
    BH = "bh"  # Benjamini–Hochberg step-up: false discovery rate ≤ alpha
    NONE = "none"

    @property
    def label(self) -> str:
        return {Correction.HOLM: "Holm (family-wise error rate)", Correction.BH: "Benjamini–Hochberg (false discovery rate)",
                Correction.NONE: "no correction for multiple comparisons"}[self]


@dataclass(frozen=True)
class Interval:
    """Mean with a two-sided confidence interval (nan bounds with fewer than 2 values). ``clipped``: a t-bound
    fell outside the KPI's possible range and was moved onto it."""

    mean: float
    low: float
    high: float
    n: int
    std: float
    clipped: bool = False

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class Comparison:
    """Difference ``b - a`` of two samples, its confidence interval and the two-sided p-value."""

    diff: float
    low: float
    high: float
    p_value: float
    df: float
    test: str  # "welch" or "paired"

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha


def mean_ci(values: Sequence[float], level: float = 0.95, lower: float | None = None, upper: float | None = None) -> Interval:
    """Mean and Student-t interval; bounds clipped to ``[lower, upper]`` when given (``clipped`` says so)."""
    xs = np.asarray(values, dtype=float)
    n = len(xs)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, math.nan)
    m = float(xs.mean())
    if n < 2:
        return Interval(m, math.nan, math.nan, n, math.nan)
    sd = float(xs.std(ddof=1))
    h = float(st.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    lo, hi = m - h, m + h
    clipped = False
    if lower is not None and lo < lower:
        lo, clipped = lower, True
    if upper is not None and hi > upper:
        hi, clipped = upper, True
    return Interval(m, lo, hi, n, sd, clipped)


def paired(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Comparison:
    """Paired t-test of b - a (scipy.stats.ttest_rel). The same difference in every pair (zero spread: common with
    integer KPIs such as queue maxima) has no t statistic: p is then 1 when it is zero, else the exact two-sided sign
    test (2 × 0.5^n: 0.5 with 2 replications, 0.002 with 10), with a zero-width interval."""
    if len(a) != len(b):
        raise ValueError("paired test needs samples of equal length")
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = y - x
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return Comparison(mean, math.nan, math.nan, math.nan, math.nan, "paired")
    if float(d.std(ddof=1)) == 0.0:
        return Comparison(mean, mean, mean, float(st.binomtest(n, n, 0.5).pvalue) if mean != 0 else 1.0, n - 1, "paired")
    with warnings.catch_warnings():  # nearly equal samples: SciPy warns of precision loss; the zero-spread case is handled above
        warnings.simplefilter("ignore", RuntimeWarning)
        res = st.ttest_rel(y, x)
        ci = res.confidence_interval(level)
    return Comparison(mean, float(ci.low), float(ci.high), float(res.pvalue), float(res.df), "paired")


def welch(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Comparison:
    """Welch's unequal-variance t-test of mean(b) - mean(a) (scipy.stats.ttest_ind, equal_var=False). Two constant
    samples have no t statistic: p is 1 when they are equal, else the exact Mann–Whitney test (every b beyond every a)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(y.mean() - x.mean()) if len(x) and len(y) else math.nan
    if len(x) < 2 or len(y) < 2:
        return Comparison(diff, math.nan, math.nan, math.nan, math.nan, "welch")
    if float(x.std(ddof=1)) == 0.0 and float(y.std(ddof=1)) == 0.0:
        p = float(st.mannwhitneyu(y, x, method="exact").pvalue) if diff != 0 else 1.0
        return Comparison(diff, diff, diff, p, math.inf, "welch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = st.ttest_ind(y, x, equal_var=False)
        ci = res.confidence_interval(level)
    return Comparison(diff, float(ci.low), float(ci.high), float(res.pvalue), float(res.df), "welch")


def adjust(p_values: Sequence[float], method: Correction = Correction.HOLM) -> np.ndarray:
    """Adjusted p-values (same order); nan entries are left out of the family and stay nan.

    Holm: sort ascending, multiply the i-th smallest (0-based) by (m - i), take the running maximum, cap at 1.
    Benjamini–Hochberg: ``scipy.stats.false_discovery_control(method='bh')``."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    if not len(q) or method is Correction.NONE:
        out[ok] = q
        return out
    if method is Correction.BH:
        out[ok] = st.false_discovery_control(q, method="bh")
        return out
    order = np.argsort(q, kind="stable")
    m = len(q)
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    adj = np.empty(m)
    adj[order] = stepped
    out[ok] = adj
    return out
