"""Time distributions of the dataset: lognormal, given by their median and P90 (both the planner's sampling and
the simulation's draws read them this way)."""

from __future__ import annotations

import math

Z90 = 1.2815515655446004  # the standard normal 0.9 quantile (statistics.NormalDist gives it 4e-16 high)


def sigma_from_p90(median: float, p90: float) -> float:
    """σ of the lognormal with this median and P90 (μ = ln median); 0 when P90 equals the median."""
    return math.log(p90 / median) / Z90
