"""Statistics of studies against hand-computed answers: a paired t-test, Holm and Benjamini–Hochberg on known
p-values, intervals clipped at a KPI's bound, and the summary's family-wise correction."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from silkway.scenarios.stats import Correction, adjust, mean_ci, paired, welch
from silkway.scenarios.store import StudyRecord
from silkway.scenarios.summary import MIN_REPLICATIONS, method_notes, summarize_kpis


def t3_sf(t: float) -> float:
    """Student t upper tail with 3 degrees of freedom in closed form: 1/2 - (θ + sinθ cosθ)/π, θ = atan(t/√3)."""
    th = math.atan(t / math.sqrt(3))
    return 0.5 - (th + math.sin(th) * math.cos(th)) / math.pi


def test_paired_t_matches_the_hand_computation():
    a, b = [10, 12, 9, 11], [11, 14, 10, 13]  # differences 1, 2, 1, 2: mean 1.5, sd √(1/3), se √(1/3)/2
    c = paired(a, b)
    se = math.sqrt(1 / 3) / 2
    t = 1.5 / se  # = 3√3 = 5.196
    assert c.test == "paired" and c.df == 3 and c.diff == pytest.approx(1.5)
    assert c.p_value == pytest.approx(2 * t3_sf(t), rel=1e-9)  # = 0.013847
    assert round(c.p_value, 5) == 0.01385
    t975 = 3.182446305284263  # t quantile 0.975, 3 df (tables)
    assert (c.low, c.high) == pytest.approx((1.5 - t975 * se, 1.5 + t975 * se), rel=1e-9)


def test_paired_is_sharper_than_welch_on_correlated_samples():
    a = [100.0, 120.0, 90.0, 110.0, 105.0]
    b = [x + 1.0 + 0.1 * i for i, x in enumerate(a)]  # same noise plus a small effect
    assert paired(a, b).p_value < 1e-4 < 0.5 < welch(a, b).p_value


def test_identical_pairs_are_not_significant():
    c = paired([5.0, 7.0, 6.0], [5.0, 7.0, 6.0])
    assert c.diff == 0 and c.p_value == 1.0 and c.low == c.high == 0


def test_constant_differences_use_the_exact_sign_test():
    # the same +1 in every pair: no t statistic; two-sided sign test 2 × 0.5^n
    assert paired([1, 2], [2, 3]).p_value == 0.5  # two replications cannot show significance
    assert paired(list(range(10)), [x + 1 for x in range(10)]).p_value == 2 * 0.5**10
    assert welch([1, 1, 1], [2, 2, 2]).p_value == 0.1  # exact Mann–Whitney: 2 / C(6, 3)


def test_holm_on_a_known_example():
    # sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max 0.02, 0.03, 0.06, 0.06
    got = adjust([0.01, 0.04, 0.03, 0.005, math.nan], Correction.HOLM)
    np.testing.assert_allclose(got[:4], [0.03, 0.06, 0.06, 0.02])
    assert math.isnan(got[4])  # left out of the family (m = 4, not 5)
    assert adjust([0.5, 0.9], Correction.HOLM).tolist() == [1.0, 1.0]  # capped at 1


def test_benjamini_hochberg_on_a_known_example():
    # p·m/rank = 0.02, 0.02, 0.04, 0.04 (sorted) → running minimum from the top
    np.testing.assert_allclose(adjust([0.01, 0.04, 0.03, 0.005], Correction.BH), [0.02, 0.04, 0.04, 0.02])
    np.testing.assert_allclose(adjust([0.01, 0.04], Correction.NONE), [0.01, 0.04])


def test_bounded_interval_is_clipped_and_marked():
    ci = mean_ci([0, 0, 0, 3], lower=0.0)  # mean 0.75, half-width 3.18 × 0.75 = 2.39: the t-bound would be -1.64
    assert ci.low == 0.0 and ci.clipped and ci.high == pytest.approx(0.75 + 3.182446305284263 * 0.75)
    free = mean_ci([0, 0, 0, 3])
    assert free.low < 0 and not free.clipped
    share = mean_ci([0.98, 1.0, 0.99, 1.0], lower=0.0, upper=1.0)
    assert share.high == 1.0 and share.clipped


def record(crn: bool, reps: int = 3) -> StudyRecord:
    return StudyRecord("s", "t", datetime.now(UTC), 0, 30, reps, crn, [{"name": "base", "hash": "a"}, {"name": "alt", "hash": "b"}],
                       "d", "c")


def kpi_rows(reps: int, n_noise_kpis: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for rep in range(reps):
        common = rng.normal(0, 10)
        for h, effect in (("a", 0.0), ("b", 1.0)):
            rows.append({"scenario_hash": h, "rep": rep, "kpi": "generated_teu", "value": 1000 + common})
            rows.append({"scenario_hash": h, "rep": rep, "kpi": "max_queue_trains_x", "value": max(0.0, 1 + common / 10)})
            rows.append({"scenario_hash": h, "rep": rep, "kpi": "transit_days_median",
                         "value": 20 + common / 10 - effect + rng.normal(0, 0.05)})
            for i in range(n_noise_kpis):
                rows.append({"scenario_hash": h, "rep": rep, "kpi": f"trains_border_n{i}", "value": rng.normal(50, 5)})
    return pd.DataFrame(rows)


def test_summary_pairs_corrects_and_names():
    t = summarize_kpis(record(crn=True, reps=6), kpi_rows(6, 20))
    alt = t[t["scenario"] == "alt"].set_index("kpi")
    assert alt.loc["generated_teu", "p_value"] == 1.0 and not alt.loc["generated_teu", "significant"]  # same demand, same seeds
    assert alt.loc["transit_days_median", "test"] == "paired" and alt.loc["transit_days_median", "significant"]
    assert alt.loc["transit_days_median", "name"] == "Transit time, median" and alt.loc["transit_days_median", "unit"] == "days"
    # Holm over the 23 KPIs: every adjusted p ≥ its raw p, and at least the smallest is multiplied by the family size
    tested = alt[alt["p_value"].notna()]
    assert (tested["p_adjusted"] >= tested["p_value"] - 1e-15).all()
    assert tested["p_adjusted"].min() == pytest.approx(min(1.0, tested["p_value"].min() * len(tested)))


def test_summary_clips_bounded_kpis_and_notes_say_how():
    t = summarize_kpis(record(crn=False, reps=3), kpi_rows(3, 0))
    q = t[t["kpi"] == "max_queue_trains_x"]
    assert (q["ci_low"] >= 0).all()
    notes = method_notes(record(crn=False, reps=3), t)
    assert notes[0].startswith(f"warning: only 3 replication(s) per scenario (at least {MIN_REPLICATIONS} recommended)")
    assert any("Welch" in n for n in notes) and any("Holm" in n for n in notes)
    crn_notes = method_notes(record(crn=True, reps=6), summarize_kpis(record(crn=True, reps=6), kpi_rows(6, 0)))
    assert not crn_notes[0].startswith("warning") and "common random numbers" in crn_notes[0]


def test_a_kpi_seen_in_one_replication_does_not_make_the_study_a_one_replication_study():
    """The demo's report (20 replications a scenario) warned "only 1 replication(s) per scenario: no intervals and no
    significance tests" because one sparse KPI (cargo diverted to one corridor, in one replication) had n = 1."""
    rows = kpi_rows(6, 0)
    sparse = pd.DataFrame([{"scenario_hash": "b", "rep": 0, "kpi": "diverted_teu_kz_to_sea", "value": 40.0}])
    t = summarize_kpis(record(crn=True, reps=6), pd.concat([rows, sparse], ignore_index=True))
    assert int(t["n"].min()) == 1  # the sparse KPI
    notes = method_notes(record(crn=True, reps=6), t)
    assert not any(n.startswith("warning") for n in notes), notes
    few = method_notes(record(crn=True, reps=3), summarize_kpis(record(crn=True, reps=3), pd.concat([kpi_rows(3, 0), sparse])))
    assert few[0].startswith("warning: only 3 replication(s) per scenario")
