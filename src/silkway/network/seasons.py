"""Seasonal closure risk: the month profile of a random closure (``closures.csv`` ``month_weights``).

A random closure occurs ``events_per_year`` times a year on average. Without ``month_weights`` the events are
spread evenly over the year; with them, the rate on a day of month *m* is proportional to the month's weight:
``events_per_year × w_m / Σ_k w_k·days_k`` per day (a 365-day year), so the yearly mean is unchanged and only the
season moves. The simulation (start times of its closure windows) and the route planner (the chance that a closure
is in force when a container reaches the element) both read the rates from here: one source of truth. Pure.
"""

from __future__ import annotations

import math

import numpy as np

from silkway.network.model import Closure

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
YEAR_H = 8760.0
MONTH_START_H = np.concatenate(([0.0], np.cumsum(np.asarray(MONTH_DAYS, float) * 24.0)))  # 13 knots, 0 … 8760


def daily_rates(c: Closure) -> tuple[float, ...]:
    """Events per day in each month (January first) of a random closure; flat when it has no month profile."""
    per_year = c.events_per_year or 0.0
    if not c.month_weights:
        return (per_year / 365.0,) * 12
    norm = sum(w * d for w, d in zip(c.month_weights, MONTH_DAYS, strict=True))
    return tuple(per_year * w / norm for w in c.month_weights)


def closed_probability(c: Closure, month: int | None) -> float:
    """Chance that the closure is in force at a moment of ``month`` (1–12; None = any day of the year):
    a start in the ``duration_days`` before it, 1 − exp(−rate × duration) for a Poisson process of starts."""
    rates = daily_rates(c)
    rate = sum(r * d for r, d in zip(rates, MONTH_DAYS, strict=True)) / 365.0 if month is None else rates[month - 1]
    return 1.0 - math.exp(-rate * c.duration_days)


def seasonal_starts(c: Closure, horizon_h: float, year_start_h: float, rng: np.random.Generator) -> np.ndarray:
    """Start times (hours, sorted) over ``[0, horizon_h)`` of a random closure with a month profile, where hour
    ``year_start_h`` is 1 January 00:00: a Poisson number of events with the profile's mean over the horizon,
    placed by inverting the cumulative rate (piecewise linear by month)."""
    rates_h = np.asarray(daily_rates(c)) / 24.0
    first = math.floor(-year_start_h / YEAR_H)
    last = math.ceil((horizon_h - year_start_h) / YEAR_H)
    knots_t = np.concatenate([year_start_h + k * YEAR_H + MONTH_START_H[:-1] for k in range(first, last)] + [[year_start_h + last * YEAR_H]])
    per_month = np.tile(rates_h * np.diff(MONTH_START_H), last - first)
    knots_cum = np.concatenate(([0.0], np.cumsum(per_month)))
    lo, hi = np.interp([0.0, horizon_h], knots_t, knots_cum)
    n = rng.poisson(hi - lo)
    return np.sort(np.interp(rng.uniform(lo, hi, size=n), knots_cum, knots_t))
