"""A train larger than a vessel's free deck sails in parts (whole containers); it goes on when its last part lands.

Hand computations on the tiny network: harbour → isle over the ferry l4 (100 TEU per sailing, one a week, 200 km at
480 km/d = 10 h), with 20 background wagons a week from the harbour taking 40 TEU of deck (60 TEU left for containers),
one 100-TEU train of fifty 2-TEU containers, every time at its median.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkway.network.model import Background, Network
from silkway.simulation import Demand, Flow, SimOptions
from silkway.simulation.collect import collect
from silkway.simulation.engine import prepare, run
from silkway.simulation.plan import build

OPTIONS = SimOptions(train_teu=100.0, container_teu=2.0, warmup_days=0.0, use_closures=False, deterministic=True, booking=False)


def deck_of_60(net: Network, *, fleet: bool) -> Network:
    """l4 with 40 TEU of its 100 taken by background wagons from the harbour; ``fleet``: no timetable (a derived fleet)."""
    bg = Background("bg_l4", "link", "l4", "forward", "bulk", "reserved", wagons_week=20.0, tonnes_per_wagon=60.0)
    links = tuple(replace(lk, first_departure_h=None) if fleet and lk.link_id == "l4" else lk for lk in net.links)
    return replace(net, links=links, background=(bg,))


def one_train(net: Network, days: float = 10.0):
    """Fifty containers ready at t = 0: one full train leaves the harbour terminal at once."""
    demand = Demand((Flow("hi", "harbour", "isle", "middle", 1.0),))
    b, routes = build(net, demand, OPTIONS)
    prep = prepare(b, routes, demand, OPTIONS, days=days, seed=0, closures=(), arrivals=(np.zeros(50), np.zeros(50, np.int64)))
    return collect(run(prep), 0)


def test_a_timetabled_sailing_takes_what_fits_and_the_rest_waits_a_week(tiny_net):
    """Port handling 0–4 h; the 24 h sailing takes 30 containers (60 TEU), the 192 h sailing the other 20 (40 TEU).
    The last part lands at 202 h, turnaround 4 h → 206 h, customs 1 h → 207 h, port handling 4 h → 211 h. Without parts
    the whole train sailed at 24 h and arrived at 43 h, carrying 100 TEU on a 60-TEU deck."""
    r = one_train(deck_of_60(tiny_net, fleet=False))
    np.testing.assert_allclose(r.trains.arrived_day * 24, [211.0], atol=1e-9)
    assert r.vessel_links.teu_moved.tolist() == [100.0] and r.vessel_links.sailings.tolist() == [2]  # 24 h and 192 h
    assert r.kpis()["delivered_teu"] == 100.0
    assert (r.conservation.generated == r.conservation.delivered + r.conservation.in_system).all()


def test_a_fleet_ferry_sails_full_and_comes_back_for_the_rest(tiny_net):
    """Fleet: round trip 2 × 10 h + 4 h + 4 h (port turnarounds) = 28 h → one vessel, maximum wait (168 − 28) / 2 = 70 h.
    The vessel waits at the harbour from 0 h; the train reaches the quay at 4 h, 30 containers fill the deck and it sails
    at once (lands 14 h, ready at the isle 18 h), waits there 70 h for cargo and sails back empty at 88 h (ready at the
    harbour 102 h), takes the 40 TEU left (below 0.9 × 60 = 54 TEU: it waits its 70 h), sails at 172 h, lands 182 h:
    the train rolls off at 186 h, customs 1 h → 187 h, port handling 4 h → 191 h."""
    net = deck_of_60(tiny_net, fleet=True)
    r = one_train(net)
    vl = r.vessel_links.iloc[0]
    assert (vl.fleet, vl.max_wait_h, vl.cap_teu) == (1, pytest.approx(70.0), pytest.approx(60.0))
    np.testing.assert_allclose(r.trains.arrived_day * 24, [191.0], atol=1e-9)
    assert vl.teu_moved == 100.0 and vl.sailings == 3  # 60 TEU out, empty back, 40 TEU out


def test_a_train_that_fits_sails_whole(tiny_net):
    """Without background wagons the 100-TEU deck takes the whole train on the 24 h sailing: 24 + 10 + 4 + 1 + 4 = 43 h."""
    r = one_train(tiny_net)
    np.testing.assert_allclose(r.trains.arrived_day * 24, [43.0], atol=1e-9)
    assert r.vessel_links.teu_moved.tolist() == [100.0]
