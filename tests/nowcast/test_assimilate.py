"""The particle filter (systematic resampling, one-parameter SIR filters) and the ensemble CRPS."""

from __future__ import annotations

import math

import numpy as np

from silkway.nowcast.assimilate import Assimilator, LogFilter, ServiceModel, systematic_resample
from silkway.nowcast.backtest import crps


def test_systematic_resampling_keeps_each_particle_floor_or_ceil_of_n_times_its_weight():
    rng = np.random.default_rng(1)
    w = rng.dirichlet(np.ones(50))
    for _ in range(20):
        counts = np.bincount(systematic_resample(w, rng), minlength=50)
        assert np.all(counts >= np.floor(50 * w) - 1e-9) and np.all(counts <= np.ceil(50 * w) + 1e-9)
        assert counts.sum() == 50


def test_filter_recovers_a_slowed_station_and_a_demand_surge():
    """Durations drawn from the station's lognormal with its median × 2, containers at 1.5 × the expected rate:
    the posterior means move from 1 to near 2 and 1.5 (the prior is log-normal around 1)."""
    rng = np.random.default_rng(7)
    mu, sigma = math.log(10.0), 0.4
    a = Assimilator(400, seed=3)
    models = {0: ServiceModel(2, mu, sigma)}
    for day in range(1, 6):
        x = np.exp(mu + math.log(2.0) + sigma * rng.standard_normal(8)).tolist()
        a.update({0: x}, models, containers=int(rng.poisson(1.5 * 300)), expected_containers=300.0, now_h=day * 24.0)
    assert abs(a.service[0].mean() - 2.0) < 0.2
    assert abs(a.demand.mean() - 1.5) < 0.1
    m, d = a.members(3)
    assert m.shape == (400, 3) and np.all(m[:, 1:] == 1.0)  # stations never observed keep their nominal times
    assert abs(np.median(m[:, 0]) - 2.0) < 0.25 and abs(np.median(d) - 1.5) < 0.1


def test_weights_degenerate_trigger_resampling_only_below_half_n():
    rng = np.random.default_rng(0)
    f = LogFilter.prior(100, 0.2, rng)
    f.update(np.zeros(100), rng)  # no information: weights stay equal, no resampling
    assert f.resampled == 0
    f.update(-0.5 * ((f.log_theta - 0.3) / 0.01) ** 2, rng)
    assert f.resampled == 1 and np.allclose(f.weights, 0.01)


def test_ensemble_crps_hand_cases():
    assert crps(np.array([3.0]), 1.0) == 2.0  # one member: absolute error
    # members 0 and 2, y = 1: mean|X-y| = 1, mean|X-X'| over the 4 ordered pairs = (0+2+2+0)/4 = 1 -> 1 - 0.5
    assert crps(np.array([0.0, 2.0]), 1.0) == 0.5
    x = np.random.default_rng(0).normal(0, 1, 4000)  # N(0,1) at y=0: CRPS = (sqrt(2) - 1)/sqrt(pi) = 0.2337
    assert abs(crps(x, 0.0) - (math.sqrt(2) - 1) / math.sqrt(math.pi)) < 0.01
