"""Objectives and the Pareto marks, on the figures the user is shown.

Every option is shown with four figures: days median and days P90 (both from the same Monte Carlo draws),
cost USD and CO2e kg. Ranking and Pareto marks use exactly those figures **as displayed**, rounded the way
the CLI, JSON consumers and the web table show them (days to 0.1, USD and kg to 1): an option marked Pareto
is dominated by no other candidate on the four displayed figures, and the best by an objective has the best
displayed figure for it (ties broken by the other displayed figures, then by the unrounded value).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from silkway.vocabulary import Objective

__all__ = ["DECIMALS", "FIELD", "Objective", "displayed", "dominates", "key_of", "marks_of", "pareto_marks", "rank_key", "shown"]


class Figures(Protocol):
    """What ranking reads of a route (read-only: routes are frozen records)."""

    @property
    def days_median(self) -> float: ...
    @property
    def days_p90(self) -> float: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def co2e_kg(self) -> float: ...


FIELD = {Objective.TIME: "days_median", Objective.P90: "days_p90", Objective.COST: "cost_usd", Objective.CO2E: "co2e_kg"}
DECIMALS = {Objective.TIME: 1, Objective.P90: 1, Objective.COST: 0, Objective.CO2E: 0}


def shown(value: float, objective: Objective) -> float:
    """``value`` as displayed for ``objective`` (the same rounding as the printed text)."""
    return float(f"{value:.{DECIMALS[objective]}f}")


_ORDER = tuple(Objective)
_SHOWN = tuple((FIELD[o], f"{{:.{DECIMALS[o]}f}}".format) for o in _ORDER)  # shown(), one format per figure


def displayed(opt: Figures) -> tuple[float, float, float, float]:
    """(days median, days P90, cost USD, CO2e kg) as displayed."""
    (m, fm), (p, fp), (c, fc), (e, fe) = _SHOWN
    return (float(fm(getattr(opt, m))), float(fp(getattr(opt, p))), float(fc(getattr(opt, c))), float(fe(getattr(opt, e))))


def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a != b and all(map(operator.le, a, b))


def pareto_marks(options: Sequence[Figures]) -> list[bool]:
    """For each option: True when no other option dominates it on the displayed figures."""
    return marks_of([displayed(o) for o in options])


def marks_of(figs: Sequence[tuple[float, ...]]) -> list[bool]:
    """:func:`pareto_marks` of options whose :func:`displayed` figures are ``figs`` (:func:`dominates` over all pairs,
    as arrays)."""
    if not figs:
        return []
    f = np.asarray(figs, dtype=np.float64)
    dominated = ((f[:, None, :] <= f[None, :, :]).all(axis=2) & (f[:, None, :] != f[None, :, :]).any(axis=2)).any(axis=0)
    return [not x for x in dominated.tolist()]


def rank_key(opt: Figures, objective: Objective) -> tuple[float, ...]:
    """Sort key: the displayed figure of the objective, then the other displayed figures, then the exact value."""
    return key_of(displayed(opt), getattr(opt, FIELD[objective]), objective)


def key_of(figs: tuple[float, ...], exact: float, objective: Objective) -> tuple[float, ...]:
    """:func:`rank_key` of an option whose :func:`displayed` figures are ``figs`` and exact figure for ``objective``
    is ``exact`` (a caller ranking many times formats each option's figures once)."""
    k = _ORDER.index(objective)
    return (figs[k], *figs[:k], *figs[k + 1:], exact)
