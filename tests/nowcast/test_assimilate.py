"""The particle filter (systematic resampling, one-parameter SIR filters) and the ensemble CRPS."""

from __future__ import annotations

import math

import numpy as np

from silkway.nowcast.assimilate import Assimilator, LogFilter, Seen, ServiceModel, observed_services, systematic_resample
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
    models = {0: ServiceModel(2, mu, sigma), 1: ServiceModel(2, mu, sigma), 2: ServiceModel(0, 0.0, 0.0)}
    for day in range(1, 6):
        x = np.exp(mu + math.log(2.0) + sigma * rng.standard_normal(8))
        a.update({0: [(None, Seen(0.0, v, v)) for v in x]}, models, containers=int(rng.poisson(1.5 * 300)),
                 expected_containers=300.0, now_h=day * 24.0)
    assert abs(a.service[0].mean() - 2.0) < 0.2
    assert abs(a.demand.mean() - 1.5) < 0.1
    m, d = a.members(models)
    assert m.shape == (400, 3) and np.all(m[:, 2] == 1.0)  # a station without a service time is not scaled
    # a station never observed carries the prior's uncertainty (log sd 0.25 around 1)
    assert abs(np.median(m[:, 1]) - 1.0) < 0.1 and 0.18 < np.std(np.log(m[:, 1])) < 0.32
    assert abs(np.median(m[:, 0]) - 2.0) < 0.25 and abs(np.median(d) - 1.5) < 0.1


def _feed(rng, theta: float, n: int, mu: float, sigma: float, step_h: float, gate_h: float):
    """A 6-hourly feed of one station ('a') followed by a gated link ('b'): each report gives each train's latest
    milestone — ``started`` at a (seen only if a report falls within its service), then ``arrived`` at b when a report
    catches it waiting, else ``started`` at b (its wait: 0, or up to one gate spacing)."""
    from datetime import UTC, datetime, timedelta

    from silkway.nowcast.observations import Observation, ObsKind, Stage

    origin = datetime(2023, 1, 1, tzinfo=UTC)
    at = lambda h: origin + timedelta(hours=float(h))  # noqa: E731
    rows = []
    for k in range(n):
        t_s = rng.uniform(0.0, 20 * 24.0)
        x = math.exp(mu + math.log(theta) + sigma * rng.standard_normal())
        w = 0.0 if rng.uniform() < 0.6 else rng.uniform(0.0, gate_h)
        first = math.ceil(t_s / step_h) * step_h
        if first > t_s + x:
            continue  # never in service at a report: not in the feed
        tid = f"T{k}"
        rows.append(Observation(at(t_s), ObsKind.STARTED, train_id=tid, place="a", stage=Stage.HANDLING))
        e = t_s + x
        waiting_seen = math.ceil(e / step_h) * step_h < e + w
        rows.append(Observation(at(e if waiting_seen else e + w), ObsKind.ARRIVED if waiting_seen else ObsKind.STARTED,
                                train_id=tid, place="b", stage=Stage.LINK))
    rows.sort(key=lambda o: o.time)
    return rows, origin


def test_survival_likelihood_reads_a_6_hourly_feed_without_bias():
    """Services seen only through 6-hourly reports (left-truncated: seen because a report fell inside them; the end
    exact when the train is caught waiting at the next station, else within one gate spacing before it started there):
    a station at its nominal times is read as ≈ 1, one slowed × 2 as ≈ 2 (four rolling updates). Bare upper bounds
    (the interval (last report, next start]) read the slowed station far faster: the case the wait mixture exists for."""
    mu, sigma, step, gate = math.log(2.0), 0.45, 6.0, 0.9
    models = {0: ServiceModel(2, mu, sigma)}
    station_of = lambda o: 0 if o.place == "a" else 1  # noqa: E731
    for theta in (1.0, 2.0):
        rows, origin = _feed(np.random.default_rng(int(theta * 10)), theta, 600, mu, sigma, step, gate)
        a = Assimilator(400, seed=1)
        before: dict = {}
        for day in (6, 11, 16, 21):  # rolling updates: each service's evidence counted once as it is refined
            seen = observed_services(rows, day * 24.0, origin, station_of, {0: {1}}, frozenset(), step, slack={1: gate})
            a.update({0: [(before.get(k, (0, None))[1], e) for k, (s, e) in seen.items() if s == 0 and before.get(k, (0, None))[1] != e]},
                     models, 0, 0.0, day * 24.0)
            before = seen
        assert abs(a.service[0].mean() / theta - 1.0) < 0.12, (theta, a.service[0].mean())
    bare = [Seen(e.trunc, e.lo, e.hi) for s, e in observed_services(rows, 21 * 24.0, origin, station_of, {0: {1}}, frozenset(), step,
                                                                     slack={1: gate}).values() if s == 0]
    a = Assimilator(400, seed=1)
    a.update({0: [(None, e) for e in bare]}, models, 0, 0.0, 21 * 24.0)
    assert a.service[0].mean() < 0.8 * 2.0


def test_refined_evidence_counts_each_service_once():
    """A service censored at one update and completed at the next: the two updates' product equals one update with
    the completed evidence (L_now / L_before telescopes)."""
    m = ServiceModel(2, math.log(5.0), 0.5)
    two, one = Assimilator(200, seed=4), Assimilator(200, seed=4)
    cens, done = Seen(1.0, 3.0, math.inf), Seen(1.0, 7.0, 7.0)
    two.update({0: [(None, cens)]}, {0: m}, 0, 0.0, 10.0)
    two.update({0: [(cens, done)]}, {0: m}, 0, 0.0, 10.0)
    one.update({0: [(None, done)]}, {0: m}, 0, 0.0, 10.0)
    np.testing.assert_allclose(two.service[0].weights, one.service[0].weights, rtol=1e-9)


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
