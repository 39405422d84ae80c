"""Plausibility of routes on the embedded eurasia dataset against published corridor facts.

corridor-facts: China→Poland 13–15 d and →Germany 18–21 d in 2024 under congestion; the Xi'an–Duisburg
speed train 13 d; typical 12–18 d. The northern option's median must land in 12–18 d.
"""

from __future__ import annotations

import pytest

from silkway.network import read_dataset
from silkway.routing import Router


@pytest.fixture(scope="module")
def router():
    return Router(read_dataset())


def _by_corridor(res):
    return {o.corridor: o for o in res.options}


def test_xian_duisburg_northern_in_published_range(router):
    res = router.route("Xi'an", "Duisburg", alternatives=5)
    north = _by_corridor(res)["northern"]
    assert 12.0 <= north.days_median <= 18.0
    assert north.days_p90 >= north.days_median
    assert north.days_p90 <= 25.0
    assert {"KZ", "RU", "BY", "PL"} <= set(north.countries)
    assert res.best.corridor == "northern"


def test_corridor_alternatives_are_distinct(router):
    res = router.route("Xi'an", "Duisburg", alternatives=5)
    labels = [o.corridor for o in res.options]
    assert len(labels) == len(set(labels)) >= 3
    assert {"northern", "middle"} <= set(labels)
    days = [o.days_median for o in res.options]
    assert days == sorted(days)


def test_middle_corridor_to_baku_exists_and_ordering_follows_the_data(router):
    baku = router.route("Xian", "Baku", alternatives=5)
    assert "middle" in _by_corridor(baku)
    assert baku.best.corridor == "middle"
    assert any(leg.mode == "ferry" for leg in _by_corridor(baku)["middle"].legs)
    to_europe = _by_corridor(router.route("Xian", "Duisburg", alternatives=5))
    north, middle = to_europe["northern"], to_europe["middle"]
    assert middle.days_nominal > north.days_nominal
    for opt in (north, middle):  # the reported time is exactly the sum of its legs from the data
        assert sum(leg.hours for leg in opt.legs) == pytest.approx(opt.days_nominal * 24)


def test_sea_option_via_suez(router):
    res = router.route("Shanghai", "Rotterdam", alternatives=6)
    sea = _by_corridor(res)["sea"]
    assert any(leg.mode == "sea" for leg in sea.legs)
    assert sea.days_nominal > _by_corridor(res)["northern"].days_nominal


def test_avoid_russia_is_strict(router):
    res = router.route("Xi'an", "Duisburg", avoid=["RU"], alternatives=5)
    net = router.net
    for opt in (*res.options, *res.pareto):
        assert "RU" not in opt.countries
        for leg in opt.legs:
            assert net.node_by_id[leg.from_node].country != "RU"
            if leg.link_id:
                assert "RU" not in net.link_by_id[leg.link_id].countries
    assert res.best.corridor != "northern"


def test_co2e_and_cost_recomputed_from_the_tables(router):
    """ISO 14083: Σ t·km × WTW intensity + hub operations × transship_co2e_kg_per_teu; cost: Σ km × rate
    + facility fees. Recomputed here from the dataset records, not from the planner's arrays."""
    net = router.net
    teu = 4.0
    opt = router.route("Chongqing", "Duisburg", teu=teu).best
    tonnes = teu * net.param["tonnes_per_teu"]
    moves = [leg for leg in opt.legs if leg.kind == "move"]
    co2e = sum(leg.distance_km * tonnes * net.emission_factor(leg.mode, net.link_by_id[leg.link_id].energy).co2e_g_per_tkm / 1000
               for leg in moves)
    hubs = [leg for leg in opt.legs if leg.kind == "handling" and net.facility_by_id[leg.facility_id].facility_kind != "border"]
    co2e += len(hubs) * teu * net.param["transship_co2e_kg_per_teu"]
    assert opt.co2e_kg == pytest.approx(co2e)
    cost = sum(leg.distance_km * net.cost_rate(leg.mode, net.link_by_id[leg.link_id].country).usd_per_teu_km * teu for leg in moves)
    cost += sum((net.facility_by_id[leg.facility_id].cost_usd_per_teu or 0) * teu
                for leg in opt.legs if leg.facility_id and leg.cost_usd > 0)
    assert opt.cost_usd == pytest.approx(cost)


def test_objectives_pick_pareto_extremes(router):
    by_time = router.route("Xi'an", "Duisburg", objective="time")
    by_cost = router.route("Xi'an", "Duisburg", objective="cost")
    by_co2e = router.route("Xi'an", "Duisburg", objective="co2e")
    front = by_time.pareto
    assert min(o.cost_usd for o in front) == pytest.approx(by_cost.best.cost_usd)
    assert min(o.co2e_kg for o in front) == pytest.approx(by_co2e.best.co2e_kg)
    assert min(o.days_nominal for o in front) == pytest.approx(min(o.days_nominal for o in by_time.options))


def test_corridor_ordering_follows_the_data(router):
    """Make the Middle Corridor fast in a copy of the data (its links 4× faster, daily sailings, Caspian and
    Black Sea port handling and customs at 1 h): it must then beat the northern route to Duisburg."""
    import dataclasses

    from silkway.routing import Router
    from silkway.routing.corridors import GENERIC_CORRIDORS

    net = router.net
    links = tuple(dataclasses.replace(lk, speed_km_day=lk.speed_km_day * 4, departures_per_week=7.0 if lk.departures_per_week else None)
                  if set(lk.corridor) - GENERIC_CORRIDORS == {"middle"} or (lk.mode in ("ferry", "feeder") and "middle" in lk.corridor) else lk
                  for lk in net.links)
    ports = {"aktau", "kuryk", "alat", "poti", "batumi", "constanta"}
    facilities = tuple(dataclasses.replace(f, handling_h_median=1.0, handling_h_p90=1.0, customs_h_median=1.0, customs_h_p90=1.0)
                       if f.node_id in ports else f for f in net.facilities)
    fast = Router(dataclasses.replace(net, links=links, facilities=facilities))
    before = _by_corridor(router.route("Xian", "Duisburg", alternatives=5))
    after = _by_corridor(fast.route("Xian", "Duisburg", alternatives=5))
    assert before["middle"].days_nominal > before["northern"].days_nominal
    assert after["middle"].days_nominal < after["northern"].days_nominal
    assert after["northern"].days_nominal <= before["northern"].days_nominal + 1e-9  # it shares some middle-tagged links


def test_avoid_water_keeps_every_route_on_land(router):
    """``water`` stands for ferry, feeder and sea; ``ferry`` alone leaves the Caspian container feeder open."""
    water = router.route("Lianyungang", "Istanbul", avoid=["water"], alternatives=5)
    for opt in (*water.options, *water.pareto):
        assert not {leg.mode for leg in opt.legs if leg.kind == "move"} & {"ferry", "feeder", "sea"}
    assert water.constraints["avoid"] == ["mode:ferry", "mode:feeder", "mode:sea"]
    ferry_only = router.route("Lianyungang", "Istanbul", avoid=["ferry"], alternatives=5)
    modes = {leg.mode for opt in (*ferry_only.options, *ferry_only.pareto) for leg in opt.legs if leg.kind == "move"}
    assert "ferry" not in modes and "feeder" in modes
