"""A short backtest (the full one: benchmarks/bench_nowcast.py): hidden perturbations, a tracking feed, forecasts
scored against the truth and against the route planner's static ETA."""

from __future__ import annotations

import numpy as np

from silkway.nowcast.backtest import backtest
from silkway.services.nowcast import static_planner
from silkway.services.simulation import load_inputs
from silkway.simulation import SimOptions


def test_short_backtest_scores_and_beats_the_static_planner():
    net, demand = load_inputs()
    s = backtest(net, demand, SimOptions(warmup_days=10), planner=static_planner(net), days=40, members=4, horizon_days=15, at_days=(28,))
    t = s.table().set_index("method")
    assert set(t.index) == {"assimilated", "no_assimilation", "planner"}
    assert (t["n_trains"] > 100).all()  # trains in the system at t0 that the truth delivers within the horizon
    for m in ("assimilated", "no_assimilation"):
        assert 0.0 <= t.loc[m, "coverage_p10_p90"] <= 1.0
        assert np.isfinite(t.loc[m, "crps_h"]) and t.loc[m, "crps_h"] <= t.loc[m, "eta_mae_h"] + 1e-9  # CRPS ≤ MAE of the median
    # measured: the ensemble's median ETA is far closer to the truth than departure + the planner's typical time
    assert t.loc["assimilated", "eta_mae_h"] < t.loc["planner", "eta_mae_h"]  # 31.9 h against 68.2 h when written
    # not asserted: assimilation beating the ensemble without it — measured over three seeds of the full backtest
    # (benchmarks/RESULTS.md); on this short case (one forecast, 4 members) the margin is too thin to be robust:
    # ETA MAE 31.9 against 32.5 h, CRPS 25.0 against 26.0 h when written


def test_parallel_members_give_the_same_forecast():
    from silkway.nowcast.backtest import ORIGIN, Perturbations, truth_feed
    from silkway.nowcast.forecast import Desk

    net, demand = load_inputs()
    options = SimOptions(warmup_days=10, booking=False)
    _, obs = truth_feed(net, demand, options, days=20, seed=2, perturb=Perturbations(), step_h=12.0, start_h=20 * 24.0)
    one, two = (Desk(net, demand, options, origin=ORIGIN, members=4, seed=5) for _ in range(2))
    a = one.forecast(obs, 24 * 24.0, 5 * 24.0)
    b = two.forecast(obs, 24 * 24.0, 5 * 24.0, workers=2)
    assert a.train_ids == b.train_ids and len(a.train_ids) > 50
    np.testing.assert_array_equal(a.eta_h, b.eta_h)
    np.testing.assert_array_equal(a.clearance_h, b.clearance_h)
