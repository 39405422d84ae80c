"""Objectives and the Pareto marks, on the figures the user is shown.

Every option is shown with four figures: days median and days P90 (both from the same Monte Carlo draws),
cost USD and CO2e kg. Ranking and Pareto marks use exactly those figures **as displayed**, rounded the way
the CLI, JSON consumers and the web table show them (days to 0.1, USD and kg to 1): an option marked Pareto
is dominated by no other candidate on the four displayed figures, and the best by an objective has the best
displayed figure for it (ties broken by the other displayed figures, then by the unrounded value).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from silkway.errors import RoutingError


class Objective(StrEnum):
    """What ``--objective`` ranks by: ``time`` = the Monte Carlo median, ``p90`` = the Monte Carlo P90."""

    TIME = "time"
    P90 = "p90"
    COST = "cost"
    CO2E = "co2e"

    @classmethod
    def parse(cls, value: str | Objective) -> Objective:
        """Tolerant: case and blanks ignored; ``median`` = time, ``co2``/``co2e_kg`` = co2e."""
        if isinstance(value, Objective):
            return value
        text = str(value).strip().lower()
        text = {"median": "time", "days": "time", "co2": "co2e", "co2e_kg": "co2e", "cost_usd": "cost"}.get(text, text)
        try:
            return cls(text)
        except ValueError:
            raise RoutingError(f"unknown objective '{value}': choose one of {', '.join(o.value for o in cls)}") from None

    @property
    def search_criterion(self) -> int:
        """The nominal criterion the searches steer by: 0 time (also for P90), 1 cost, 2 CO2e."""
        return {Objective.TIME: 0, Objective.P90: 0, Objective.COST: 1, Objective.CO2E: 2}[self]


class Figures(Protocol):
    days_median: float
    days_p90: float
    cost_usd: float
    co2e_kg: float


FIELD = {Objective.TIME: "days_median", Objective.P90: "days_p90", Objective.COST: "cost_usd", Objective.CO2E: "co2e_kg"}
DECIMALS = {Objective.TIME: 1, Objective.P90: 1, Objective.COST: 0, Objective.CO2E: 0}


def shown(value: float, objective: Objective) -> float:
    """``value`` as displayed for ``objective`` (the same rounding as the printed text)."""
    return float(f"{value:.{DECIMALS[objective]}f}")


def displayed(opt: Figures) -> tuple[float, float, float, float]:
    """(days median, days P90, cost USD, CO2e kg) as displayed."""
    return tuple(shown(getattr(opt, FIELD[o]), o) for o in Objective)  # type: ignore[return-value]


def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and a != b


def pareto_marks(options: Sequence[Figures]) -> list[bool]:
    """For each option: True when no other option dominates it on the displayed figures."""
    figs = [displayed(o) for o in options]
    return [not any(dominates(other, f) for other in figs) for f in figs]


def rank_key(opt: Figures, objective: Objective) -> tuple[float, ...]:
    """Sort key: the displayed figure of the objective, then the other displayed figures, then the exact value."""
    figs = displayed(opt)
    k = list(Objective).index(objective)
    return (figs[k], *figs[:k], *figs[k + 1:], getattr(opt, FIELD[objective]))
