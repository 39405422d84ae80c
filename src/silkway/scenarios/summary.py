"""Summarise a study: every KPI per scenario with a 95% t confidence interval, and its difference to the first
scenario (the baseline).

- With common random numbers (the default: replication i of every scenario ran with the same seed) the difference
  is a paired t-test over the replications; with independent seeds a Welch t-test.
- The p-values of one scenario's KPIs form one family and are adjusted for multiple comparisons (Holm by default,
  or Benjamini–Hochberg); ``significant`` uses the adjusted p-value.
- A KPI that cannot leave a range (a count or a queue maximum ≥ 0, a share in [0, 1]; see the KPI catalogue) gets
  its interval clipped to it, marked ``ci_clipped``.
- Fewer than :data:`MIN_REPLICATIONS` replications per scenario: :func:`method_notes` warns.
"""

from __future__ import annotations

import math

import pandas as pd

from silkway.kpi_catalogue import Places, describe
from silkway.scenarios.stats import Correction, adjust, mean_ci, paired, welch
from silkway.scenarios.store import StudyRecord

COLUMNS = ["kpi", "name", "unit", "group", "subject", "scenario", "n", "mean", "ci_low", "ci_high", "ci_clipped", "diff", "diff_low",
           "diff_high", "p_value", "p_adjusted", "significant", "test"]
MIN_REPLICATIONS = 5  # below this a t-interval rests on 1-3 degrees of freedom: wide, and sensitive to non-normal KPIs
ALPHA = 0.05


def summarize_kpis(study: StudyRecord, kpis: pd.DataFrame, level: float = 0.95, correction: Correction = Correction.HOLM,
                   places: Places | None = None) -> pd.DataFrame:
    """One row per (kpi, scenario) in study order; ``diff*``/``p_*`` empty for the baseline."""
    names = {s["hash"]: s["name"] for s in study.scenarios}
    order = [s["hash"] for s in study.scenarios]
    base = order[0] if order else None
    samples = {(h, k): g.sort_values("rep") for (h, k), g in kpis.groupby(["scenario_hash", "kpi"], sort=False)}
    rows = []
    for kpi in sorted(kpis["kpi"].unique()) if len(kpis) else []:
        info = describe(kpi, places)
        for h in order:
            g = samples.get((h, kpi))
            if g is None:
                continue
            ci = mean_ci(g["value"].tolist(), level, info.lower, info.upper)
            row = {"kpi": kpi, "name": info.name, "unit": info.unit, "group": int(info.group), "subject": info.subject,
                   "scenario": names[h], "n": ci.n,
                   "mean": ci.mean, "ci_low": ci.low, "ci_high": ci.high, "ci_clipped": ci.clipped, "diff": math.nan,
                   "diff_low": math.nan, "diff_high": math.nan, "p_value": math.nan, "p_adjusted": math.nan,
                   "significant": False, "test": ""}
            b = samples.get((base, kpi))
            if h != base and b is not None:
                row.update(_compare(b, g, study.crn, level))
            rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    for _, idx in table.groupby("scenario", sort=False).groups.items():
        table.loc[idx, "p_adjusted"] = adjust(table.loc[idx, "p_value"].to_numpy(dtype=float), correction)
    table["significant"] = table["p_adjusted"].fillna(1.0) < 1 - level
    return table


def _compare(base: pd.DataFrame, other: pd.DataFrame, crn: bool, level: float) -> dict[str, object]:
    if crn:
        common = sorted(set(base["rep"]) & set(other["rep"]))
        a = base.set_index("rep").loc[common, "value"].tolist()
        b = other.set_index("rep").loc[common, "value"].tolist()
        c = paired(a, b, level)
    else:
        c = welch(base["value"].tolist(), other["value"].tolist(), level)
    return {"diff": c.diff, "diff_low": c.low, "diff_high": c.high, "p_value": c.p_value, "test": c.test}


def method_notes(study: StudyRecord, table: pd.DataFrame, correction: Correction = Correction.HOLM) -> list[str]:
    """How the numbers were computed, in words (every view prints these), warnings first."""
    notes = []
    # replications per scenario: its best-covered KPI's count (a KPI seen in some replications only, e.g. cargo
    # diverted to a corridor, has a smaller n of its own and says nothing about how many replications ran)
    n_min = int(table.groupby("scenario")["n"].max().min()) if len(table) else 0
    if n_min < 2:
        notes.append(f"warning: only {n_min} replication(s) per scenario: no intervals and no significance tests (they need "
                     f"at least 2; {MIN_REPLICATIONS} recommended)")
    elif n_min < MIN_REPLICATIONS:
        notes.append(f"warning: only {n_min} replication(s) per scenario (at least {MIN_REPLICATIONS} recommended): "
                     "intervals are wide and significance is unreliable")
    if study.crn:
        notes.append("common random numbers: replication i of every scenario used the same seed, so differences to the "
                     "baseline are paired t-tests over the replications")
    else:
        notes.append("independent seeds per scenario (common random numbers off): differences to the baseline are Welch t-tests")
    fam = int(table[table["p_value"].notna()].groupby("scenario").size().max()) if table["p_value"].notna().any() else 0
    if not fam:
        notes.append("no difference to the baseline could be tested (a single scenario, or fewer than 2 replications): no p-values")
    elif correction is Correction.NONE:
        notes.append("p-values are not adjusted for testing many KPIs at once")
    else:
        notes.append(f"p-values adjusted by {correction.label} over the {fam} KPIs tested per scenario; "
                     f"significant = adjusted p < {ALPHA:g}")
    if len(table) and table["ci_clipped"].any():
        notes.append("intervals of KPIs that cannot be negative (or exceed 100%) are clipped at that bound")
    return notes
