"""Warm-start verification (issue 17): a run stopped at t0, written as observations and rebuilt from them, goes on as
the uninterrupted run did — exactly when the state is fully observed and times are deterministic, in distribution
otherwise (docs/nowcast.md, "Verification")."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from scipy import stats

from silkway.nowcast.observations import Observation, ObsKind, Stage
from silkway.nowcast.verify import ORIGIN, restart
from silkway.services.simulation import load_inputs
from silkway.simulation import SimOptions
from silkway.simulation import _layout as L
from silkway.simulation.warm import residual

T0_H = 30 * 24 + 5.0  # 20 days after a 10-day warm-up, mid-day


@pytest.fixture(scope="module")
def embedded():
    return load_inputs()


def test_deterministic_restart_reproduces_the_uninterrupted_run_exactly(embedded):
    net, demand = embedded
    # deterministic: service and sailing times at their medians, recurring closures only; no green-channel draws
    options = SimOptions(deterministic=True, green_channel_share=0.0, warmup_days=10)
    r = restart(net, demand, options, days=60, t0_h=T0_H, seed=3)
    assert len(r.truth_arrive_h) > 200 and r.n_observations > 1000  # trains forming, queued, moving, at quays, at sea
    np.testing.assert_allclose(r.warm_arrive_h, r.truth_arrive_h, rtol=0, atol=1e-6)
    assert len(r.truth_new_arrive_h) > 1000
    np.testing.assert_allclose(r.warm_new_arrive_h, r.truth_new_arrive_h, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(r.warm_queues, r.truth_queues)


def test_random_restart_matches_the_uninterrupted_run_in_distribution(embedded):
    """Exact identity is impossible with random times: the end of a service in progress at t0 and the positions of
    the random streams are not observable, so the restart draws them afresh (the rest of a service conditioned on
    the time already spent). Over replications, the paired Wilcoxon signed-rank test finds no difference between the
    uninterrupted and the restarted runs in the mean time left to the trains in the system at t0 and in the mean
    sampled queue (10 replications, p > 0.01), and the means agree within 5%."""
    net, demand = embedded
    options = SimOptions(warmup_days=10)
    left_t, left_w, q_t, q_w = [], [], [], []
    for seed in range(10):
        r = restart(net, demand, options, days=50, t0_h=T0_H, seed=seed, warm_seed=10_000 + seed)
        end = 60 * 24.0
        left_t.append(np.mean(np.where(r.truth_arrive_h >= 0, r.truth_arrive_h, end) - T0_H))
        left_w.append(np.mean(np.where(r.warm_arrive_h >= 0, r.warm_arrive_h, end) - T0_H))
        q_t.append(r.truth_queues.mean())
        q_w.append(r.warm_queues.mean())
    assert stats.wilcoxon(left_t, left_w).pvalue > 0.01
    assert stats.wilcoxon(q_t, q_w).pvalue > 0.01
    assert abs(np.mean(left_w) - np.mean(left_t)) < 0.05 * np.mean(left_t)


def test_residual_service_is_the_conditional_distribution():
    rng = np.random.default_rng(0)
    mu, sigma, elapsed = np.log(10.0), 0.5, 12.0
    x = np.array([residual(L.DIST_LOGNORMAL, mu, sigma, elapsed, rng) for _ in range(4000)])
    assert x.min() >= elapsed
    dist = stats.lognorm(s=sigma, scale=10.0)
    conditional_cdf = lambda v: (dist.cdf(v) - dist.cdf(elapsed)) / dist.sf(elapsed)  # noqa: E731
    assert stats.kstest(x, conditional_cdf).pvalue > 0.01
    assert residual(L.DIST_DET, 5.0, 0.0, 2.0, rng) == 5.0
    assert residual(L.DIST_DET, 5.0, 0.0, 7.0, rng) == 7.0  # overdue: ends now


def test_trains_that_cannot_be_placed_are_reported_not_guessed(embedded):
    from silkway.simulation.plan import build
    from silkway.simulation.warm import warm_prepare

    net, demand = embedded
    options = SimOptions(warmup_days=10)
    b, routes = build(net, demand, options)
    flow = demand.flows[0]
    t = datetime(2023, 1, 25, tzinfo=UTC)
    obs = [
        Observation(t, ObsKind.DEPARTED, train_id="A", flow_id=flow.flow_id, place=flow.origin, teu=100.0, containers=50, line=2),
        Observation(t, ObsKind.ARRIVED, train_id="A", place="no_such_yard", stage=Stage.HANDLING, line=3),
        Observation(t, ObsKind.ARRIVED, train_id="B", place=flow.origin, stage=Stage.HANDLING, line=4),
        Observation(t, ObsKind.DEPARTED, train_id="C", flow_id=flow.flow_id, place=flow.origin, teu=100.0, containers=50, line=5),
    ]
    ws = warm_prepare(b, routes, demand, options, days=40, seed=0, closures=(), observations=obs, t0_h=T0_H, origin=ORIGIN)
    assert sorted(p.line for p in ws.problems) == [3, 4]
    assert list(ws.train_index) == ["C"]
    c = ws.train_index["C"]
    assert ws.prep.work[L.TI][c, L.T_POS] == ws.prep.work[L.RI][0, L.R_LO]  # waits at its first station
