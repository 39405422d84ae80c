"""Booking at the origin against answers that can be derived: acceptance plans cap the trains crossing a border per
day, a stop refuses (or diverts) everything, and the validation of acceptance.csv is located."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from silkway.network.model import Acceptance
from silkway.simulation import SimOptions, simulate


def _with_plan(net, *rows: Acceptance):
    return replace(net, acceptance=rows)


def test_an_acceptance_plan_caps_the_trains_per_day(tiny_net, tiny_demand):
    """l2 (gate_cn → gate_kz) accepts 1 train/day westbound (the demand × 4 needs ~2): the westbound trains across it
    average at most 1 a day, and the excess demand is held or refused."""
    net = _with_plan(tiny_net, Acceptance("a", "l2", "forward", 1.0))
    r = simulate(net, tiny_demand.scaled(4.0), days=60, seed=5)
    st = r.stations[r.stations.station_id.str.startswith("l2:")]
    west = r.trains[(r.trains.destination != "west") & r.trains.departed_day.notna() & (r.trains.formed_day >= 0)]
    per_day = np.bincount(np.floor(west.formed_day).astype(int), minlength=60)[:60]
    assert len(st) == 1 and per_day.mean() <= 1.0 + 0.05, per_day.mean()  # 1 a day on average (booked days may shift by 1)
    assert per_day.max() <= 3
    k = r.kpis()
    assert k["refused_teu"] + k["held_teu"] > 0
    free = simulate(tiny_net, tiny_demand.scaled(4.0), days=60, seed=5).kpis()  # same demand, no plan
    assert free["refused_teu"] + free["held_teu"] < k["refused_teu"] + k["held_teu"]


def test_a_stop_refuses_that_direction_only(tiny_net, tiny_demand):
    """Acceptance 0 eastbound on l2: every eastbound container is refused (no alternative on the tiny network), the
    westbound flows are untouched."""
    net = _with_plan(tiny_net, Acceptance("ban", "l2", "reverse", 0.0))
    r = simulate(net, tiny_demand, days=40, seed=2)
    sh = r.shipments
    east = sh[sh.destination == "west"]
    assert len(east) > 0 and (east.booking == "refused").all()
    assert (sh[sh.destination != "west"].booking != "refused").all()
    base = simulate(tiny_net, tiny_demand, days=40, seed=2)
    assert base.kpis()["refused_teu"] == 0


def test_booking_off_keeps_the_old_behaviour(tiny_net, tiny_demand):
    r = simulate(tiny_net, tiny_demand, days=20, seed=1, options=SimOptions(booking=False))
    assert "booking" not in r.shipments and "refused_teu" not in r.kpis()
    assert (r.conservation.generated == r.conservation.delivered + r.conservation.in_system).all()


def test_lots_group_each_route_in_order_of_readiness():
    """Brute force: every run of `per_lot` consecutive containers of a route is one lot, ready with its last one."""
    from silkway.simulation.booking import _lots

    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 100, 200))
    r = rng.integers(0, 5, 200)
    lot_of, lot_route, ready = _lots(t, r, 5, 7)
    assert (np.diff(ready) >= 0).all()
    n_lots = 0
    for k in range(5):
        idx = np.flatnonzero(r == k)
        for j in range(0, len(idx), 7):
            members = idx[j:j + 7]
            lot = lot_of[members]
            assert (lot == lot[0]).all() and lot_route[lot[0]] == k and ready[lot[0]] == t[members[-1]]
            n_lots += 1
    assert n_lots == len(lot_route)
