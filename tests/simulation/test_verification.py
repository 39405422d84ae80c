"""Verification against answers derived by hand or by queueing theory (the real kernel, no mocks)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from silkway.network.model import Network
from silkway.simulation import Demand, Flow, SimOptions
from silkway.simulation import _layout as L
from silkway.simulation.collect import collect
from silkway.simulation.engine import prepare, run
from silkway.simulation.paths import CorridorPath
from silkway.simulation.plan import PlanBuilder, RouteSpec, StationSpec, build

ONE_CONTAINER_TRAINS = dict(train_teu=2.0, container_teu=2.0, warmup_days=0.0, use_closures=False)


def one_station_run(net: Network, spec: StationSpec, arrivals_h: np.ndarray, days: float, seed: int = 0):
    """A single station fed by one-container trains arriving at the given times."""
    options = SimOptions(**ONE_CONTAINER_TRAINS, sample_hours=24.0 * days)
    b = PlanBuilder(net, options)
    s = b.add(spec)
    flow = Flow("f", "west", "harbour", "test", 1.0)
    route = RouteSpec(flow, CorridorPath(("west",), (), (), 0.0), [s], 0.0)
    prep = prepare(b, [route], Demand((flow,)), options, days=days, seed=seed, closures=(),
                   arrivals=(np.asarray(arrivals_h, float), np.zeros(len(arrivals_h), np.int64)))
    return collect(run(prep), seed)


def test_single_server_deterministic_hand_computation(tiny_net):
    spec = StationSpec("desk", "handling", "west", "desk", servers=1, dist=L.DIST_DET, a=2.0, mean_h=2.0)
    r = one_station_run(tiny_net, spec, [0.0, 1.0, 2.0, 10.0], days=1)
    # starts 0, 2, 4, 10 -> waits 0, 1, 2, 0; departures 2, 4, 6, 12
    np.testing.assert_allclose(r.trains.wait_hours, [0.0, 1.0, 2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [2.0, 4.0, 6.0, 12.0], atol=1e-9)
    # the queue counts trains waiting, not the one in service: trains 2 and 3 wait together at t = 2 (train 1 leaves at 2)
    assert r.stations.max_queue_trains.tolist() == [2]
    alone = one_station_run(tiny_net, spec, [0.0, 10.0], days=1)  # never two at once: nobody waits
    assert alone.stations.max_queue_trains.tolist() == [0] and alone.stations.trains.tolist() == [2]


def test_gate_spacing_hand_computation(tiny_net):
    """Unlimited servers but at most one start per 3 h (8 trains/day): starts 0, 3, 6, 10."""
    spec = StationSpec("gate", "link", "west", "gate", servers=0, dist=L.DIST_DET, a=5.0, mean_h=5.0, gate_h_train=3.0)
    r = one_station_run(tiny_net, spec, [0.0, 1.0, 2.0, 10.0], days=1)
    np.testing.assert_allclose(r.trains.wait_hours, [0.0, 2.0, 4.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [5.0, 8.0, 11.0, 15.0], atol=1e-9)
    assert r.stations.max_queue_trains.tolist() == [2]  # trains 2 and 3 wait for the gate at t = 2; train 4 does not wait


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize(("c", "lam", "mean_service_h"), [(1, 0.7, 1.0), (3, 2.4, 1.0)])
def test_mmc_mean_wait_matches_erlang_c(tiny_net, c, lam, mean_service_h):
    rng = np.random.default_rng(12345 + c)
    n = 200_000
    arrivals = np.cumsum(rng.exponential(1.0 / lam, size=n))
    spec = StationSpec("mmc", "handling", "west", "mmc", servers=c, dist=L.DIST_EXP, a=mean_service_h, mean_h=mean_service_h)
    r = one_station_run(tiny_net, spec, arrivals, days=arrivals[-1] / 24.0 + 30, seed=c)
    waits = r.trains.sort_values("formed_day").wait_hours.to_numpy()[n // 20:]  # drop the initial transient
    batches = waits[: len(waits) // 40 * 40].reshape(40, -1).mean(axis=1)  # batch means
    mean, half = batches.mean(), stats.t.ppf(0.995, 39) * batches.std(ddof=1) / math.sqrt(40)
    expected = erlang_c_wait(lam, 1.0 / mean_service_h, c)
    assert half < 0.15 * expected  # the interval is informative
    assert abs(mean - expected) < half, f"simulated {mean:.4f} ± {half:.4f} h vs Erlang-C {expected:.4f} h"
    # service times really are exponential with the given mean
    assert r.stations.mean_service_h.iloc[0] == pytest.approx(mean_service_h, rel=0.02)


def test_route_deterministic_hand_computation(tiny_net):
    """Two one-container trains west → harbour on the tiny network, every time at its median.

    Stations: l1 (96 km at 960 km/d = 2.4 h, gate 24/20 = 1.2 h), border gate_cn (gate 24/12 = 2 h, customs 6 h),
    gauge change (1 server, 2 h, gate = the tighter of 24/10 = 2.4 h and 24/1000 h per TEU × 2 TEU = 0.048 h: 2.4 h),
    l2 single track (1 h, gate 24/(2·10) = 1.2 h), border gate_kz (gate 2 h, customs 3 h), l3 single track (6 h,
    gate 24/(2·12) = 1 h), harbour port handling (4 h).
    Train A (t=0): 0 → 2.4 → 8.4 → 10.4 → 11.4 → 14.4 → 20.4 → 24.4.
    Train B (t=0.5): l1 waits to 1.2 (end 3.6), border gate to 4.4 (customs end 10.4), gauge-yard gate to 10.8
    (end 12.8), l2 → 13.8, customs → 16.8, l3 → 22.8, port → 26.8; waited 0.7 + 0.8 + 0.4 = 1.9 h.
    """
    options = SimOptions(**ONE_CONTAINER_TRAINS, deterministic=True)
    demand = Demand((Flow("wh", "west", "harbour", "kz", 1.0),))
    b, routes = build(tiny_net, demand, options)
    prep = prepare(b, routes, demand, options, days=2, seed=0, closures=(),
                   arrivals=(np.array([0.0, 0.5]), np.zeros(2, np.int64)))
    r = collect(run(prep), 0)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [24.4, 26.8], atol=1e-9)
    np.testing.assert_allclose(r.trains.wait_hours, [0.0, 1.9], atol=1e-9)
    np.testing.assert_allclose(r.shipments.transit_days * 24, [24.4, 26.3], atol=1e-9)


def _two_shipments(net, flow: Flow, times_h, options: SimOptions, days: float = 10):
    demand = Demand((flow,))
    b, routes = build(net, demand, options)
    prep = prepare(b, routes, demand, options, days=days, seed=0, closures=tuple(options.extra_closures),
                   arrivals=(np.asarray(times_h, float), np.zeros(len(times_h), np.int64)))
    return collect(run(prep), 0)


def test_timetabled_ferry_hand_computation(tiny_net):
    """harbour → isle on the weekly ferry l4 (first sailing Monday 24:00, 100 TEU, 200 km at 480 km/d = 10 h).

    Container 1 (t=0): port handling 0–4 h, waits for the 24 h sailing, lands 34 h, turnaround (isle port
    handling median 4 h) → 38 h, customs 1 h → 39 h, port handling 4 h → 43 h.
    Container 2 (t=30): handled by 34 h, misses the sailing, next one at 24 + 168 = 192 h → 211 h.
    """
    options = SimOptions(**ONE_CONTAINER_TRAINS, deterministic=True)
    r = _two_shipments(tiny_net, Flow("hi", "harbour", "isle", "middle", 1.0), [0.0, 30.0], options)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [43.0, 211.0], atol=1e-9)
    np.testing.assert_allclose(r.vessel_links.teu_moved, [4.0])


def test_closure_cancels_a_sailing(tiny_net):
    """The same run with the ferry link closed for the first 36 h: the 24 h sailing is cancelled, both containers
    take the 192 h sailing; at Isle the second waits for the port's TEU gate (24 / 500 h per TEU × 2 TEU = 0.096 h)."""
    from silkway.network.model import Closure

    storm = Closure("storm", "link", "l4", "recurring", duration_days=1.5, start_day_of_year=1)
    options = SimOptions(**ONE_CONTAINER_TRAINS, deterministic=True, extra_closures=(storm,))
    r = _two_shipments(tiny_net, Flow("hi", "harbour", "isle", "middle", 1.0), [0.0, 30.0], options)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [211.0, 211.096], atol=1e-9)


def test_closure_holds_trains_at_a_link(tiny_net):
    """West → harbour with l1 closed on day 1 (0–24 h): a train formed at 1 h waits until 24 h, then 24.4 h of route."""
    from silkway.network.model import Closure

    works = Closure("works", "link", "l1", "recurring", duration_days=1.0, start_day_of_year=1)
    options = SimOptions(**ONE_CONTAINER_TRAINS, deterministic=True, extra_closures=(works,))
    r = _two_shipments(tiny_net, Flow("wh", "west", "harbour", "kz", 1.0), [1.0], options)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [48.4], atol=1e-9)
    np.testing.assert_allclose(r.trains.wait_hours, [23.0], atol=1e-9)
