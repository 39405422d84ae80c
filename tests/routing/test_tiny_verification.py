"""Hand-computed routes on tests/fixtures/tiny: exact time, cost and CO2e.

The network: West (CN) -l1- Gate CN (CN) -l2- Gate KZ (KZ) -l3- Harbour (KZ) -l4- Isle (AZ).
l1 is 1435 mm, l2 dual gauge, l3 1520 mm: the gauge must change at Gate CN (gc_gate, the only
gauge-changing facility). l2 crosses CN→KZ: exit customs at Gate CN, entry customs at Gate KZ. l4 is
a weekly ferry leaving Harbour at first_departure_h = 24 (Monday 24:00 = Tuesday 00:00).

Departure Monday 00:00 (t = 0 h), every step at its median:

====================  =========================  ========  =====================  ==================
step                  data                       hours     cost USD/TEU           CO2e kg/TEU
====================  =========================  ========  =====================  ==================
load at West          no facility at West        0         0                      0
l1 rail 1435, CN      96 km / 960 km/d           2.4       96 × 1.0 (rail *)      96×10 t×10 g = 9.6
gauge change gc_gate  handling 2 h, 50 USD       2.0       50                     5 (transship)
exit customs CN       bd_gate_cn 6 h, 20 USD     6.0       20                     0
l2 rail 1520, KZ      10 km / 240 km/d           1.0       10 × 0.5 (rail KZ)     10×10×20 g = 2.0
entry customs KZ      bd_gate_kz 3 h, 20 USD     3.0       20                     0
l3 rail 1520, KZ      192 km / 768 km/d          6.0       192 × 0.5 = 96         192×10×20 g = 38.4
rail→ferry transfer   port_harbour 4 h, 30 USD   4.0       30                     5
exit customs          port_harbour 1 h           1.0       0 (fee paid w/ handling) 0
wait for the ferry    ready at 25.4 h; 24 h is   166.6     0                      0
                      missed; next 24+168=192 h
l4 ferry, XX          200 km / 480 km/d          10.0      200 × 2.0 (ferry *)    200×10×100 g = 200
entry customs AZ      port_isle 1 h              1.0       0                      0
unload at Isle        port_isle 4 h, 30 USD      4.0       30                     5
====================  =========================  ========  =====================  ==================

Total: 207.0 h door to door, 747 USD/TEU, 265 kg CO2e/TEU (tonnes_per_teu = 10,
transship_co2e_kg_per_teu = 5), 2 transfers (gauge change, rail→ferry).
"""

from __future__ import annotations

import datetime as dt

import pytest

from silkway.errors import RoutingError
from silkway.network import read_dataset
from silkway.routing import Router
from silkway.services.routing import route, route_many


@pytest.fixture(scope="module")
def tiny(tiny_dir):
    return Router(read_dataset(tiny_dir))


@pytest.fixture(scope="module")
def fixed():
    from pathlib import Path

    return Router(read_dataset(Path(__file__).parents[1] / "fixtures" / "routing_tiny_fixed"))


def test_west_to_isle_exact(tiny):
    res = tiny.route("West Terminal", "Isle Port", teu=2.0)
    best = res.best
    assert best.days_nominal * 24 == pytest.approx(207.0, abs=1e-9)
    assert best.cost_usd == pytest.approx(2 * 747.0, abs=1e-9)
    assert best.co2e_kg == pytest.approx(2 * 265.0, abs=1e-9)
    assert best.transfers == 2
    assert best.distance_km == pytest.approx(498.0)
    assert best.node_ids == ("west", "gate_cn", "gate_kz", "harbour", "isle")
    hours = best.hours_by_kind()
    assert hours["move"] == pytest.approx(2.4 + 1 + 6 + 10)
    assert hours["wait"] == pytest.approx(166.6)
    assert hours["handling"] == pytest.approx(2 + 4 + 4)
    assert hours["customs"] == pytest.approx(6 + 3 + 1 + 1)
    assert sum(leg.hours for leg in best.legs) == pytest.approx(207.0)
    assert [leg.platform for leg in best.legs if leg.kind == "move"] == ["rail1435", "rail1520", "rail1520", "ferry"]


def test_leg_breakdown_in_order(tiny):
    legs = tiny.route("west", "isle").best.legs
    kinds = [(leg.kind, leg.from_node, leg.facility_id or leg.link_id) for leg in legs]
    assert kinds == [
        ("move", "west", "l1"), ("handling", "gate_cn", "gc_gate"), ("customs", "gate_cn", "bd_gate_cn"),
        ("move", "gate_cn", "l2"), ("customs", "gate_kz", "bd_gate_kz"), ("move", "gate_kz", "l3"),
        ("handling", "harbour", "port_harbour"), ("customs", "harbour", "port_harbour"), ("wait", "harbour", "l4"),
        ("move", "harbour", "l4"), ("customs", "isle", "port_isle"), ("handling", "isle", "port_isle"),
    ]
    assert legs[8].start_h == pytest.approx(25.4)


def test_departure_just_before_the_ferry():
    """Leaving Sunday 22:00 (week hour 166): ready at Harbour at 166 + 25.4 = 191.4 h, the Monday-24:00
    ferry of the next week leaves at 192 h: wait 0.6 h; door to door 25.4 + 0.6 + 15 = 41 h."""
    r = Router(read_dataset(_tiny_path()))
    best = r.route("west", "isle", depart=dt.datetime(2026, 11, 29, 22, 0)).best  # a Sunday
    assert best.days_nominal * 24 == pytest.approx(41.0)
    assert best.hours_by_kind()["wait"] == pytest.approx(0.6)


def test_week_long_wait_when_missed_by_minutes():
    """Leaving one hour later (Sunday 23:00, week hour 167) the container is ready at 192.4 h and misses
    the 192 h ferry by 0.4 h: the next leaves at 192 + 168 = 360 h; arrival 375 h, 208 h door to door."""
    r = Router(read_dataset(_tiny_path()))
    best = r.route("west", "isle", depart="2026-11-29T23:00").best
    assert best.days_nominal * 24 == pytest.approx(360 + 15 - 167)


def test_arrival_dates():
    res = Router(read_dataset(_tiny_path().parent / "routing_tiny_fixed")).route("west", "isle", depart="2026-11-30")  # a Monday
    assert res.arrival(res.best) == "2026-12-08T15:00"  # 207 h = 8 d 15 h
    assert res.arrival(res.best, "p90") == "2026-12-08T15:00"
    assert Router(read_dataset(_tiny_path())).route("west", "isle").arrival(res.best) is None


def test_deterministic_steps_sample_to_the_nominal_time(fixed):
    """With every P90 equal to its median the Monte Carlo draws are all the nominal time."""
    best = fixed.route("west", "isle").best
    assert best.days_median * 24 == pytest.approx(207.0)
    assert best.days_p90 * 24 == pytest.approx(207.0)


def test_sampled_quantiles_of_one_lognormal_leg(tiny):
    """West→Gate CN is l1 alone (no facility loads or unloads there): lognormal with median 2.4 h and
    P90 = 1.2 × 2.4 = 2.88 h; 1000 draws recover both within Monte Carlo error."""
    best = tiny.route("west", "gate_cn", samples=4000).best
    assert best.days_nominal * 24 == pytest.approx(2.4)
    assert best.days_median * 24 == pytest.approx(2.4, rel=0.03)
    assert best.days_p90 * 24 == pytest.approx(2.88, rel=0.03)


def test_p90_reflects_missing_the_weekly_ferry(tiny):
    """Variability before the ferry decides between Tuesday 00:00 and a week later: the P90 is on the
    late side (≥ 192 h + 15 h of steps at their medians, lognormal sums only grow the tail)."""
    best = tiny.route("west", "isle").best
    assert best.days_p90 * 24 > 200
    assert best.days_p90 >= best.days_median


def test_teu_scales_cost_and_co2e_not_time(tiny):
    one, three = tiny.route("west", "isle").best, tiny.route("west", "isle", teu=3).best
    assert three.cost_usd == pytest.approx(3 * one.cost_usd)
    assert three.co2e_kg == pytest.approx(3 * one.co2e_kg)
    assert three.days_nominal == one.days_nominal


@pytest.mark.parametrize("name", ["westport", "WÉSTÅ", "west terminal", "West"])
def test_tolerant_names(tiny, name):
    assert tiny.route(name, "Alat").origin == "west"


def test_unknown_name_suggests(tiny):
    with pytest.raises(RoutingError, match="Did you mean: Isle Port"):
        tiny.route("west", "Isle Prot")


@pytest.mark.parametrize(("avoid", "culprit"), [
    (["ferry"], "avoid mode ferry"),
    (["KZ"], "avoid country KZ"),
    (["gate kz"], "avoid node Gate KZ"),
])
def test_infeasible_constraint_is_named(tiny, avoid, culprit):
    with pytest.raises(RoutingError, match=culprit):
        tiny.route("west", "isle", avoid=avoid)


def test_max_transfers_named(tiny):
    with pytest.raises(RoutingError, match="max transfers 1"):
        tiny.route("west", "isle", max_transfers=1)
    assert tiny.route("west", "isle", max_transfers=2).best.transfers == 2


def test_avoided_endpoint_and_bad_inputs(tiny):
    with pytest.raises(RoutingError, match="origin West Terminal is itself avoided"):
        tiny.route("west", "isle", avoid=["westport"])
    with pytest.raises(RoutingError, match="no such country"):
        tiny.route("west", "isle", avoid=["US"])
    with pytest.raises(RoutingError, match="objective"):
        tiny.route("west", "isle", objective="speed")
    with pytest.raises(RoutingError, match="same place"):
        tiny.route("west", "Westport")


def test_single_string_avoid_and_via(tiny):
    with pytest.raises(RoutingError, match="avoid mode ferry"):
        tiny.route("west", "isle", avoid="ferry")
    assert tiny.route("west", "isle", via="harbour").constraints["via"] == ["harbour"]


def test_via(tiny):
    assert tiny.route("west", "isle", via=["harbour"]).best.days_nominal * 24 == pytest.approx(207.0)
    back = tiny.route("harbour", "gate_kz", via=["isle"]).best  # out on the ferry and back again
    assert back.node_ids == ("harbour", "isle", "harbour", "gate_kz")
    assert back.days_nominal > tiny.route("harbour", "gate_kz").best.days_nominal


def test_route_function_and_route_many(tiny_dir):
    net = read_dataset(tiny_dir)
    one = route(net, "west", "isle")
    many = route_many(net, [("west", "isle"), {"origin": "west", "destination": "harbour", "teu": 2}])
    assert many[0].best.cost_usd == one.best.cost_usd
    assert many[1].teu == 2 and many[1].best.node_ids[-1] == "harbour"


def test_deterministic(tiny):
    a, b = tiny.route("west", "isle").to_dict(), tiny.route("west", "isle").to_dict()
    assert a == b


def _tiny_path():
    from pathlib import Path

    return Path(__file__).parents[1] / "fixtures" / "tiny"
