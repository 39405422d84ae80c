"""Route choice on the embedded network: adaptive mode avoids a closed crossing, avoid= detours or drops flows."""

from __future__ import annotations

import pytest

from silkway.errors import SimulationError
from silkway.network import read_dataset
from silkway.network.model import Closure
from silkway.simulation import SimOptions, default_demand, simulate
from silkway.vocabulary import RouteSource


@pytest.fixture(scope="module")
def net():
    return read_dataset()


def _xian_eu_shares(result) -> dict[str, float]:
    sh = result.shipments
    mask = (sh.origin.astype(str) == "xian") & (sh.destination.astype(str) == "malaszewicze")
    return sh[mask].flow_id.astype(str).value_counts(normalize=True).to_dict()


def _source_shares(result, origin: str, destination: str) -> dict[str, float]:
    """Share of the pair's shipments on each kind of route (demand row, another row's corridor, the planner's)."""
    sh = result.shipments
    mask = (sh.origin.astype(str) == origin) & (sh.destination.astype(str) == destination)
    return sh[mask].route_source.astype(str).value_counts(normalize=True).to_dict()


def test_adaptive_mode_leaves_a_closed_border(net):
    closed = Closure("horgos-shut", "node", "horgos", "recurring", duration_days=60, start_day_of_year=1)
    demand = default_demand(net)
    fixed = simulate(net, demand, days=40, seed=0, options=SimOptions(warmup_days=0, extra_closures=(closed,)))
    adaptive = simulate(net, demand, days=40, seed=0,
                        options=SimOptions(warmup_days=0, extra_closures=(closed,), route_mode="adaptive"))
    assert _xian_eu_shares(fixed) == {"xian_malaszewicze": 1.0}
    shares = _xian_eu_shares(adaptive)
    assert shares.get("xian_malaszewicze", 0.0) < 0.1  # nearly all switch to a candidate (via Alashankou)
    assert _source_shares(adaptive, "xian", "malaszewicze").get(RouteSource.DEMAND, 0.0) < 0.1
    assert _source_shares(fixed, "xian", "malaszewicze") == {RouteSource.DEMAND: 1.0}
    assert adaptive.border_trains().get("horgos", 0) == 0 and fixed.border_trains().get("horgos", 0) == 0
    assert adaptive.kpis()["trains_border_alashankou"] > fixed.kpis()["trains_border_alashankou"] + 200


def test_avoid_country_detours_and_drops(net):
    r = simulate(net, default_demand(net), days=20, seed=0, options=SimOptions(warmup_days=0, avoid=("RU",)))
    assert "petropavl" not in r.border_trains() and "smolensk" not in r.border_trains()
    flows = set(r.shipments.flow_id.astype(str))
    assert "urumqi_moscow" not in flows and "xian_malaszewicze" in flows  # Moscow dropped, Poland rerouted
    sh = r.shipments
    detoured = set(sh[sh.flow_id.astype(str) == "chengdu_malaszewicze"].corridor.astype(str))
    assert detoured and "northern" not in detoured  # a detour is named by where it goes, not by the row's label
    kept = set(sh[sh.flow_id.astype(str) == "xian_almaty"].corridor.astype(str))
    assert kept == {"kz"}  # a row whose path avoid= did not change keeps its own label


def test_unroutable_flow_is_a_clear_error(net):
    from silkway.simulation import Demand, Flow

    with pytest.raises(SimulationError, match="flow 'x'"):
        simulate(net, Demand((Flow("x", "xian", "duisburg", "northern", 100.0),)), days=5, options=SimOptions(avoid=("KZ", "sea")))


def test_unknown_closure_target_is_a_clear_error(net):
    bad = Closure("typo", "node", "horgoss", "recurring", duration_days=1, start_day_of_year=1)
    with pytest.raises(SimulationError, match="unknown node 'horgoss'"):
        simulate(net, default_demand(net), days=5, options=SimOptions(extra_closures=(bad,)))


def test_adaptive_alternatives_come_from_the_route_planner(net):
    """A lone flow has no other row to borrow a corridor from: its alternatives are the planner's."""
    from silkway.simulation import Demand, Flow

    closed = Closure("horgos-shut", "node", "horgos", "recurring", duration_days=60, start_day_of_year=1)
    demand = Demand((Flow("x", "xian", "malaszewicze", "northern", 700.0, ("horgos",)),))
    opts = dict(warmup_days=0, extra_closures=(closed,), use_closures=False)
    fixed = simulate(net, demand, days=30, seed=1, options=SimOptions(**opts))
    adaptive = simulate(net, demand, days=30, seed=1, options=SimOptions(route_mode="adaptive", **opts))
    assert _source_shares(adaptive, "xian", "malaszewicze").get(RouteSource.PLANNER, 0.0) > 0.9
    assert adaptive.border_trains().get("horgos", 0) == 0 and adaptive.border_trains().get("alashankou", 0) >= 20  # 3,000 TEU in 100-TEU trains
    k_fixed, k_adaptive = fixed.kpis(), adaptive.kpis()
    assert k_fixed["delivered_teu"] == 0 < k_adaptive["delivered_teu"]  # the fixed route waits out the closure


def test_planner_option_becomes_the_same_path(net):
    """The planner's route, converted for the simulation, keeps its links, and changes gauge where the planner does."""
    from silkway.routing import Router
    from silkway.simulation.choice import path_from_option

    router = Router(net)
    seen_yards = set()
    for o, d in (("xian", "duisburg"), ("lianyungang", "istanbul"), ("almaty", "bandar_abbas")):
        for opt in router.route(o, d, alternatives=4, avoid=("road",), samples=8).options:
            path = path_from_option(net, opt)
            assert tuple(leg.link_id for leg in path.legs) == opt.link_ids
            assert path.node_ids == opt.node_ids
            gauge_yards = tuple(leg.from_node for leg in opt.legs if leg.kind == "handling" and leg.facility_id
                                and net.facility_by_id[leg.facility_id].changes_gauge and leg.from_node not in (o, d)
                                and _rail_both_sides(opt, leg.from_node))
            assert path.gauge_changes == gauge_yards, (o, d, opt.corridor)
            seen_yards.update(gauge_yards)
    # the check compared real gauge changes (westbound yards: Dostyk or Khorgos Gateway, then Małaszewicze), not only empty tuples
    assert "malaszewicze" in seen_yards and seen_yards & {"dostyk", "khorgos_gateway"}


def _rail_both_sides(opt, node_id: str) -> bool:
    moves = [leg for leg in opt.legs if leg.kind == "move"]
    return any(a.to_node == node_id and b.from_node == node_id and a.mode == b.mode == "rail" and a.platform != b.platform
               for a, b in zip(moves, moves[1:], strict=False))


def test_expected_time_of_a_sea_route_counts_the_sailing():
    """In 2023 (via Suez: from the Red Sea crisis on, the Cape route is slower and dearer than the land routes)."""
    from silkway.simulation.plan import build

    net = read_dataset(as_of="2023-06-30")
    _, routes = build(net, default_demand(net), SimOptions(route_mode="adaptive"))
    sea = [r for r in routes if r.flow.source is RouteSource.PLANNER and r.flow.corridor == "sea"]
    assert all(r.flow.candidate_of in {f.flow_id for f in default_demand(net).flows} for r in sea)
    assert sea, "the planner offers the deep-sea route as an alternative"
    for r in sea:
        sailing_h = sum(net.link_by_id[leg.link_id].time_h_median for leg in r.path.legs if net.link_by_id[leg.link_id].mode == "sea")
        assert r.base_h > sailing_h > 24 * 15  # China-Bandar Abbas ~19 d, China-Europe 27-51 d


def test_committed_train_counts_match_the_trains_on_their_way(net):
    """The adaptive estimate counts, per station, trains dispatched through it that have not yet left it; after a
    run with closures and queues that count equals a recount from the trains' positions."""
    import numpy as np

    from silkway.simulation import _layout as L
    from silkway.simulation.engine import prepare, run
    from silkway.simulation.plan import build

    demand = default_demand(net).scaled(1.6)
    options = SimOptions(route_mode="adaptive", warmup_days=0)
    b, routes = build(net, demand, options)
    prep = run(prepare(b, routes, demand, options, days=60, seed=3, closures=net.closures))
    w = prep.work
    si, ti, ri, rst = w.si, w.ti, w.ri, w.rst
    n_trains = int(w.ctr[L.C_NTRAINS])
    recount = np.zeros(len(si), np.int64)
    for tr in range(n_trains):
        pos, hi = ti[tr, L.T_POS], ri[ti[tr, L.T_ROUTE], L.R_HI]
        if 0 <= pos < hi:
            np.add.at(recount, rst[pos:hi], 1)
    assert recount.sum() > 100  # the check is not vacuous: many trains are on their way
    np.testing.assert_array_equal(si[:, L.S_COMMIT], recount)


def test_adaptive_choice_sees_a_ferry_closure_ahead(net):
    """A closed ferry link (a Caspian storm) counts in the expected time of routes over it: shipments leave the
    closed Kuryk ferry for the planner's alternatives, except those that would reach Kuryk after the storm."""
    from silkway.simulation import Demand, Flow

    storm = Closure("kuryk-ferry-shut", "link", "fy_kuryk_alat", "recurring", duration_days=30, start_day_of_year=1)
    demand = Demand((Flow("a", "astana", "poti", "middle", 300.0, ("kuryk",)),))
    r = simulate(net, demand, days=30, seed=2,
                 options=SimOptions(route_mode="adaptive", warmup_days=0, extra_closures=(storm,), use_closures=False))
    sh = r.shipments
    own = sh[sh.flow_id.astype(str) == "a"]
    assert len(own) < 0.1 * len(sh)
    assert own.created_day.min() > 25  # only shipments that reach Kuryk once the 30-day storm is over
