"""Route choice on the embedded network: adaptive mode avoids a closed crossing, avoid= detours or drops flows."""

from __future__ import annotations

import pytest

from silkway.errors import SimulationError
from silkway.network import read_dataset
from silkway.network.model import Closure
from silkway.simulation import SimOptions, default_demand, simulate


@pytest.fixture(scope="module")
def net():
    return read_dataset()


def _xian_eu_shares(result) -> dict[str, float]:
    sh = result.shipments
    mask = (sh.origin.astype(str) == "xian") & (sh.destination.astype(str) == "malaszewicze")
    return sh[mask].flow_id.astype(str).value_counts(normalize=True).to_dict()


def test_adaptive_mode_leaves_a_closed_border(net):
    closed = Closure("horgos-shut", "node", "horgos", "recurring", duration_days=60, start_day_of_year=1)
    demand = default_demand(net)
    fixed = simulate(net, demand, days=40, seed=0, options=SimOptions(warmup_days=0, extra_closures=(closed,)))
    adaptive = simulate(net, demand, days=40, seed=0,
                        options=SimOptions(warmup_days=0, extra_closures=(closed,), route_mode="adaptive"))
    assert _xian_eu_shares(fixed) == {"xian_malaszewicze": 1.0}
    shares = _xian_eu_shares(adaptive)
    assert sum(v for k, v in shares.items() if "~" in k) > 0.9  # nearly all switch to a candidate (via Alashankou)
    assert adaptive.border_trains().get("horgos", 0) == 0 and fixed.border_trains().get("horgos", 0) == 0
    assert adaptive.kpis()["trains_border_alashankou"] > fixed.kpis()["trains_border_alashankou"] + 200


def test_avoid_country_detours_and_drops(net):
    r = simulate(net, default_demand(net), days=20, seed=0, options=SimOptions(warmup_days=0, avoid=("RU",)))
    assert "petropavl" not in r.border_trains() and "smolensk" not in r.border_trains()
    flows = set(r.shipments.flow_id.astype(str))
    assert "urumqi_moscow" not in flows and "xian_malaszewicze" in flows  # Moscow dropped, Poland rerouted


def test_unroutable_flow_is_a_clear_error(net):
    from silkway.simulation import Demand, Flow

    with pytest.raises(SimulationError, match="flow 'x'"):
        simulate(net, Demand((Flow("x", "xian", "duisburg", "northern", 100.0),)), days=5, options=SimOptions(avoid=("KZ",)))


def test_unknown_closure_target_is_a_clear_error(net):
    bad = Closure("typo", "node", "horgoss", "recurring", duration_days=1, start_day_of_year=1)
    with pytest.raises(SimulationError, match="unknown node 'horgoss'"):
        simulate(net, default_demand(net), days=5, options=SimOptions(extra_closures=(bad,)))
