"""Background (non-container) traffic and directional capacity against hand-computed and queueing-theory answers.

The real plan builder and kernel run; only the network is edited in memory (a background row, a doubled track).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats
from test_verification import ONE_CONTAINER_TRAINS, one_station_run  # same folder (rootdir-relative import mode)

from silkway.network.model import Background, Network
from silkway.simulation import SimOptions
from silkway.simulation.plan import PlanBuilder, StationSpec


def with_background(net: Network, *rows: Background) -> Network:
    return replace(net, background=rows)


def bg(target: str, direction: str = "both", trains: float | None = None, wagons: float | None = None, t: float | None = None,
       kind: str = "link") -> Background:
    return Background(f"bg_{target}_{direction}", kind, target, direction, "bulk", "reserved", trains_day=trains, wagons_week=wagons,
                      tonnes_per_wagon=t)


def link_station(net: Network, link_id: str, from_node: str) -> StationSpec:
    b = PlanBuilder(net, SimOptions(**ONE_CONTAINER_TRAINS))
    return b.stations[b.rail_link(net.link_by_id[link_id], from_node)]


def test_background_trains_take_their_share_of_a_link_exactly(tiny_net):
    """l1 is double track, 20 trains/day each way: 5 background trains/day leave 15 → starts every 24/15 = 1.6 h (was 1.2 h)."""
    assert tiny_net.link_by_id["l1"].tracks == 2 and tiny_net.link_by_id["l1"].capacity_trains_day == 20
    burst = np.zeros(6)
    plain = one_station_run(tiny_net, link_station(tiny_net, "l1", "west"), burst, days=2)
    busy_net = with_background(tiny_net, bg("l1", "forward", trains=5))
    busy = one_station_run(busy_net, link_station(busy_net, "l1", "west"), burst, days=2)
    np.testing.assert_allclose(np.sort(plain.trains.wait_hours), 1.2 * np.arange(6), atol=1e-9)
    np.testing.assert_allclose(np.sort(busy.trains.wait_hours), 1.6 * np.arange(6), atol=1e-9)
    # the other direction is not occupied by a forward-only row
    back = link_station(busy_net, "l1", "gate_cn")
    assert back.gate_h_train == pytest.approx(24 / 20)


def test_background_on_a_single_track_shares_its_gate(tiny_net):
    """l3 is single track, 12 trains/day each way = 24/day shared: 2 background trains/day each way leave 20 → 1.2 h."""
    net = with_background(tiny_net, bg("l3", "both", trains=2))
    st = link_station(net, "l3", "gate_kz")
    assert st.station_id == "l3:both" and st.gate_h_train == pytest.approx(24 / 20)


def test_background_at_a_yard_reduces_its_trains_per_day(tiny_net):
    gate = tiny_net.facility_by_id["gc_gate"]
    net = with_background(tiny_net, bg("gc_gate", trains=gate.capacity_trains_day / 4, kind="facility"))
    b = PlanBuilder(net, SimOptions(**ONE_CONTAINER_TRAINS))
    spec = b.stations[b.handling(net.facility_by_id["gc_gate"])]
    assert spec.gate_h_train == pytest.approx(24 / (gate.capacity_trains_day * 3 / 4))


def test_background_wagons_reduce_a_ferry_sailing(tiny_net):
    """l4 (harbour → isle): 100 TEU per sailing, 1 sailing a week. 20 background wagons a week each sailing from the harbour
    take 20 × 2 TEU of deck; they carry 20 × 60 t of other cargo per sailing; the isle side is untouched."""
    lk = tiny_net.link_by_id["l4"]
    assert (lk.capacity_teu_per_departure, lk.departures_per_week, lk.from_node) == (100, 1, "harbour")
    net = with_background(tiny_net, bg("l4", "forward", wagons=20, t=60))
    spec = PlanBuilder(net, SimOptions(**ONE_CONTAINER_TRAINS)).vessel_link(lk)
    assert spec.cap_teu == pytest.approx((100 - 20 * 2, 100))
    assert spec.background_t == pytest.approx((20 * 60, 0.0))


def md1_wait_h(lam_per_h: float, d_h: float) -> float:
    """Pollaczek–Khinchine mean wait of an M/D/1 queue: a headway gate is a single server with deterministic time d."""
    rho = lam_per_h * d_h
    return rho * d_h / (2 * (1 - rho))


def _mean_wait_ci(r, n: int) -> tuple[float, float]:
    waits = r.trains.sort_values("formed_day").wait_hours.to_numpy()[n // 20:]
    batches = waits[: len(waits) // 40 * 40].reshape(40, -1).mean(axis=1)
    return batches.mean(), stats.t.ppf(0.995, 39) * batches.std(ddof=1) / math.sqrt(40)


def test_doubled_track_cuts_the_queue_by_the_predicted_amount(tiny_net):
    """l3 with 1.5 background trains/day each way; 8 container trains/day each way (Poisson).
    Single track, 12 pairs/day: one gate shared by both directions, 24/(2 × 10.5) h → M/D/1 with ρ = 0.76.
    Doubled (tracks 2, 60 pairs/day, the dataset's double-track figure): a gate per direction, 24/58.5 h → ρ = 0.14.
    The simulated mean waits match Pollaczek–Khinchine, and so does the cut."""
    lam = 8.0 / 24.0  # per direction, per hour
    busy = with_background(tiny_net, bg("l3", "both", trains=1.5))
    single = link_station(busy, "l3", "gate_kz")
    lk = replace(busy.link_by_id["l3"], tracks=2.0, capacity_trains_day=60.0)
    doubled_net = replace(busy, links=tuple(lk if x.link_id == "l3" else x for x in busy.links))
    doubled = link_station(doubled_net, "l3", "gate_kz")
    assert single.gate_h_train == pytest.approx(24 / 21) and doubled.gate_h_train == pytest.approx(24 / 58.5)
    rng = np.random.default_rng(2026)
    n = 60_000
    both_ways = np.cumsum(rng.exponential(1.0 / (2 * lam), size=2 * n))  # two Poisson streams merged share the single track
    one_way = np.cumsum(rng.exponential(1.0 / lam, size=n))
    w1, h1 = _mean_wait_ci(one_station_run(busy, single, both_ways, days=both_ways[-1] / 24 + 10, seed=1), 2 * n)
    w2, h2 = _mean_wait_ci(one_station_run(doubled_net, doubled, one_way, days=one_way[-1] / 24 + 10, seed=2), n)
    e1, e2 = md1_wait_h(2 * lam, 24 / 21), md1_wait_h(lam, 24 / 58.5)
    assert abs(w1 - e1) < h1 and abs(w2 - e2) < max(h2, 1e-3), f"single {w1:.3f}±{h1:.3f} vs {e1:.3f}; doubled {w2:.4f}±{h2:.4f} vs {e2:.4f}"
    assert abs((w1 - w2) - (e1 - e2)) < h1 + h2 + 1e-3
    assert h1 < 0.1 * e1  # the interval is informative
