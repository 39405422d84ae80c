"""Objective values of one replication (every objective is maximised), and net present value.

KPIs come from ``SimResult.kpis()`` over the reported period of ``days`` days. NPV compares a portfolio with doing
nothing *on the same seed* (common random numbers), so its noise is that of a paired difference:

    annual benefit = margin × ΔTEU delivered per year + value of time × (median transit saved, days) × TEU delivered per year
    NPV = (annual benefit − opex) × Σ_{t=T+1..H} (1+r)^−t − capital

where T = the longest construction time of the portfolio's projects in whole years (benefits start when the last
project opens; a stated simplification), H the appraisal period in years, r the discount rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from silkway.errors import ScenarioError
from silkway.invest.model import Catalogue, Objective, Portfolio

KPIS = ("delivered_teu", "refused_teu", "diverted_teu", "generated_teu", "transit_days_p90", "transit_days_median")
ECONOMIC_PARAMS = ("invest_discount_rate", "invest_appraisal_years", "invest_margin_usd_per_teu", "invest_value_of_time_usd_per_teu_day")


@dataclass(frozen=True)
class Economics:
    discount_rate: float  # real, per year
    appraisal_years: int
    margin_usd_per_teu: float  # net benefit of one more TEU carried by the corridor
    value_of_time_usd_per_teu_day: float

    @classmethod
    def from_params(cls, params: Mapping[str, float]) -> Economics:
        missing = [p for p in ECONOMIC_PARAMS if p not in params]
        if missing:
            raise ScenarioError(f"the npv objective needs params.csv rows {', '.join(missing)} (see docs/invest.md)")
        return cls(params["invest_discount_rate"], int(params["invest_appraisal_years"]), params["invest_margin_usd_per_teu"],
                   params["invest_value_of_time_usd_per_teu_day"])

    def annuity(self, start_year: int) -> float:
        """Σ_{t=start+1..H} (1+r)^−t: present value of 1 USD a year from the year after ``start`` to the horizon."""
        return math.fsum((1 + self.discount_rate) ** -t for t in range(start_year + 1, self.appraisal_years + 1))


def value(objective: Objective, kpis: Mapping[str, float], base: Mapping[str, float], catalogue: Catalogue, portfolio: Portfolio,
          days: float, economics: Economics | None = None) -> float:
    """The objective of one replication of ``portfolio`` (``base``: the same replication of doing nothing)."""
    if objective is Objective.DELIVERED:
        return kpis["delivered_teu"]
    if objective is Objective.REFUSED_DIVERTED:
        return -(kpis["refused_teu"] + kpis["diverted_teu"])
    if objective is Objective.P90:
        return -_finite(kpis["transit_days_p90"])
    if economics is None:
        raise ScenarioError("the npv objective needs economics (discount rate, appraisal years, margin, value of time)")
    return npv(kpis, base, catalogue, portfolio, days, economics)


def npv(kpis: Mapping[str, float], base: Mapping[str, float], catalogue: Catalogue, portfolio: Portfolio, days: float,
        economics: Economics) -> float:
    per_year = 365.0 / days
    delivered = kpis["delivered_teu"] * per_year
    extra_teu = (kpis["delivered_teu"] - base["delivered_teu"]) * per_year
    saved_days = _finite(base["transit_days_median"]) - _finite(kpis["transit_days_median"])
    benefit = economics.margin_usd_per_teu * extra_teu + economics.value_of_time_usd_per_teu_day * saved_days * delivered
    by = catalogue.by_id
    projects = [by[i] for i in portfolio]
    start = max((math.ceil(p.build_days / 365.0) for p in projects), default=0)
    opex = math.fsum(p.opex_usd_year for p in projects)
    capital = math.fsum(p.capital_usd for p in projects)
    return (benefit - opex) * economics.annuity(start) - capital


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0
