"""The outcome of an investment plan as a plain record: what the CLI prints, the web app shows, the report draws and
the Python API returns (``to_frame()``). It round-trips through JSON (``to_dict`` / ``from_dict``), so a stored run
is shown without simulating again. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from silkway.invest.frontier import Point
from silkway.invest.model import Catalogue, Objective, parse_portfolio, portfolio_key
from silkway.invest.plan import InvestPlan, probability_statement

FORMAT = 1
UNITS = {Objective.DELIVERED: "TEU", Objective.REFUSED_DIVERTED: "TEU", Objective.P90: "days", Objective.NPV: "USD"}


@dataclass(frozen=True)
class ResultPoint:
    """A portfolio (canonical key, e.g. ``a+b`` or ``none``), its capital and its benefit over doing nothing (95% CI)."""

    portfolio: str
    cost_usd: float
    benefit: float
    benefit_low: float
    benefit_high: float
    n: int

    @classmethod
    def of(cls, p: Point) -> ResultPoint:
        return cls(portfolio_key(p.portfolio), p.cost_usd, p.benefit, p.benefit_low, p.benefit_high, p.n)

    @property
    def projects(self) -> tuple[str, ...]:
        return tuple(sorted(parse_portfolio(self.portfolio)))


@dataclass(frozen=True)
class ResultStage:
    """One step of the build order: the project added, its marginal benefit and the cumulative portfolio (95% CIs)."""

    project_id: str
    cost_usd: float
    per_million_usd: float
    marginal: ResultPoint
    cumulative: ResultPoint


@dataclass(frozen=True)
class InvestResult:
    scenario: str
    objective: Objective
    budget_usd: float
    days: int
    replications: int  # first-stage CRN replications per portfolio (KN's n0)
    seed: int
    alpha: float
    delta: float
    method: str  # "enumeration" or "tpe"
    guaranteed: bool  # False when the replication cap stopped KN first
    statement: str  # the probability statement, in words
    best: ResultPoint
    frontier: tuple[ResultPoint, ...]
    stages: tuple[ResultStage, ...]
    names: dict[str, str]  # project id → name (every candidate project)
    capital_usd: dict[str, float]  # project id → capital (every candidate project)
    simulations_run: int
    simulations_total: int
    wall_s: float | None = None
    run_id: str | None = None  # the store's run id (None: not stored)
    dataset: str | None = None  # the scenario's dataset folder (None: the embedded one)
    as_of: str | None = None  # the scenario's network date (YYYY-MM-DD)
    format: int = field(default=FORMAT)

    @property
    def unit(self) -> str:
        return UNITS[self.objective]

    @property
    def build_order(self) -> tuple[str, ...]:
        return tuple(s.project_id for s in self.stages)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["objective"] = self.objective.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InvestResult:
        def pt(x: dict[str, Any]) -> ResultPoint:
            return ResultPoint(**x)

        return cls(**{**d, "objective": Objective(d["objective"]), "best": pt(d["best"]),
                      "frontier": tuple(pt(x) for x in d["frontier"]),
                      "stages": tuple(ResultStage(**{**s, "marginal": pt(s["marginal"]), "cumulative": pt(s["cumulative"])})
                                      for s in d["stages"])})

    def to_frame(self) -> Any:
        """The efficient frontier, one row per point (sorted by capital): portfolio, capital, benefit over doing nothing
        with its 95% interval, replications, and whether it is the selected portfolio."""
        import pandas as pd

        rows = [{"portfolio": q.portfolio, "capital_usd": q.cost_usd, f"benefit_{self.unit.lower()}": q.benefit,
                 "ci95_low": q.benefit_low, "ci95_high": q.benefit_high, "replications": q.n,
                 "selected": q.portfolio == self.best.portfolio} for q in self.frontier]
        return pd.DataFrame(rows)

    def build_order_frame(self) -> Any:
        """The build order, one row per stage: project, capital, marginal and cumulative benefit with 95% intervals."""
        import pandas as pd

        u = self.unit.lower()
        rows = [{"stage": i, "project_id": s.project_id, "name": self.names.get(s.project_id, s.project_id),
                 "capital_usd": s.cost_usd, f"marginal_{u}": s.marginal.benefit, "marginal_ci95_low": s.marginal.benefit_low,
                 "marginal_ci95_high": s.marginal.benefit_high, "per_million_usd": s.per_million_usd,
                 f"cumulative_{u}": s.cumulative.benefit, "cumulative_ci95_low": s.cumulative.benefit_low,
                 "cumulative_ci95_high": s.cumulative.benefit_high, "cumulative_capital_usd": s.cumulative.cost_usd}
                for i, s in enumerate(self.stages, 1)]
        return pd.DataFrame(rows)


def money(usd: float) -> str:
    """Capital in words for charts and tables: millions of USD (or plain USD below a million: test fixtures)."""
    return f"{usd / 1e6:,.0f} M USD" if abs(usd) >= 1e6 else f"{usd:,.0f} USD"


def summarise(p: InvestPlan, catalogue: Catalogue, scenario: str, days: int, wall_s: float | None = None,
              run_id: str | None = None, dataset: str | None = None, as_of: str | None = None) -> InvestResult:
    s = p.settings
    stages = tuple(ResultStage(st.project_id, st.cost_usd, st.per_million_usd, ResultPoint.of(st.marginal),
                               ResultPoint.of(st.cumulative)) for st in p.stages)
    return InvestResult(scenario, p.objective, s.budget_usd, days, s.reps, s.seed, s.alpha, p.delta, p.method,
                        p.selection.guaranteed, probability_statement(p), ResultPoint.of(p.best),
                        tuple(ResultPoint.of(q) for q in p.frontier), stages,
                        {x.project_id: x.name for x in catalogue.projects},
                        {x.project_id: x.capital_usd for x in catalogue.projects}, p.simulations_run, p.simulations_total,
                        None if wall_s is None else round(wall_s, 3), run_id, dataset, as_of)
