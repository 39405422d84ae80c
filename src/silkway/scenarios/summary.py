"""Summarise a study: every KPI per scenario with a 95% t confidence interval, and its difference to
the first scenario (the baseline) with a Welch t-test, or a paired t-test when the study used
common random numbers (replication i of each scenario ran with the same seed)."""

from __future__ import annotations

import math

import pandas as pd

from silkway.scenarios.stats import mean_ci, paired, welch
from silkway.scenarios.store import StudyRecord

COLUMNS = ["kpi", "scenario", "n", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "p_value", "significant", "test"]


def summarize_kpis(study: StudyRecord, kpis: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per (kpi, scenario) in study order; ``diff*``/``p_value`` empty for the baseline."""
    names = {s["hash"]: s["name"] for s in study.scenarios}
    order = [s["hash"] for s in study.scenarios]
    base = order[0] if order else None
    samples = {(h, k): g.sort_values("rep") for (h, k), g in kpis.groupby(["scenario_hash", "kpi"], sort=False)}
    rows = []
    for kpi in sorted(kpis["kpi"].unique()) if len(kpis) else []:
        for h in order:
            g = samples.get((h, kpi))
            if g is None:
                continue
            ci = mean_ci(g["value"].tolist(), level)
            row = {"kpi": kpi, "scenario": names[h], "n": ci.n, "mean": ci.mean, "ci_low": ci.low, "ci_high": ci.high,
                   "diff": math.nan, "diff_low": math.nan, "diff_high": math.nan, "p_value": math.nan,
                   "significant": False, "test": ""}
            b = samples.get((base, kpi))
            if h != base and b is not None:
                row.update(_compare(b, g, study.crn, level))
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _compare(base: pd.DataFrame, other: pd.DataFrame, crn: bool, level: float) -> dict[str, object]:
    if crn:
        common = sorted(set(base["rep"]) & set(other["rep"]))
        a = base.set_index("rep").loc[common, "value"].tolist()
        b = other.set_index("rep").loc[common, "value"].tolist()
        c = paired(a, b, level)
    else:
        c = welch(base["value"].tolist(), other["value"].tolist(), level)
    return {"diff": c.diff, "diff_low": c.diff - c.half_width, "diff_high": c.diff + c.half_width,
            "p_value": c.p_value, "significant": bool(c.p_value < 1 - level), "test": c.test}
