"""Verification against hand-computed answers on the tiny network (edited in memory): maximum flows and the cut.

Route west → harbour (stations): l1 west→gate_cn (20/d), gate_cn border post (12/d), gauge yard gc_gate (10/d,
1000 TEU/d), l2 single track (10/d each way = one gate of 20/d), gate_kz border post (12/d), l3 single track
(12 + 12 = 24/d), harbour port (500 TEU/d = 5 trains of 100 TEU). The ferry l4 sails once a week with 100 TEU.
"""

from __future__ import annotations

import pytest
from _tiny import bg, demand, edit, single_track_binds  # same folder (rootdir-relative import mode)

from silkway.capacity import Direction, ElementKind, analyse
from silkway.network.model import Closure

TRAIN_TEU = 100.0


def only(report, label: str = "test"):
    (c,) = [c for c in report.corridors if c.corridor == label]
    return c


def test_the_port_binds_a_chain(tiny):
    c = only(analyse(tiny, demand(("west", "harbour", 300))))
    assert c.trains_day == pytest.approx(500 / TRAIN_TEU)
    assert c.teu_year == pytest.approx(5 * TRAIN_TEU * 365)
    assert c.binding == ("port_harbour:handling",)


def test_a_gauge_yard_binds_then_its_background_then_its_closures(tiny):
    roomy = edit(tiny, facilities={"port_harbour": {"capacity_teu_day": 5000.0}})
    assert only(analyse(roomy, demand(("west", "harbour", 300)))).trains_day == pytest.approx(10.0)
    assert only(analyse(roomy, demand(("west", "harbour", 300)))).binding == ("gc_gate:handling",)
    busy = edit(roomy, background=(bg("facility", "gc_gate", trains=4.0),))
    c = only(analyse(busy, demand(("west", "harbour", 300))))
    assert c.trains_day == pytest.approx(6.0) and c.binding == ("gc_gate:handling",)
    windy = edit(busy, background=busy.background,
                 closures=(Closure("gale", "facility", "gc_gate", "random", 1.0, events_per_year=73.0),))  # 73 × 1 d / 365 = 20% closed
    report = analyse(windy, demand(("west", "harbour", 300)))
    assert only(report).trains_day == pytest.approx(6.0 * 0.8)
    yard = report.element("gc_gate:handling")
    assert (yard.kind, yard.gross_trains_day, yard.closed_fraction, yard.trains_day) == (ElementKind.GAUGE_YARD, 10.0, pytest.approx(0.2), pytest.approx(4.8))
    assert yard.binding_in == ("test eastbound", "all eastbound")  # "west" lies west of "harbour": the flow runs east
    assert only(analyse(windy, demand(("west", "harbour", 300)), closures=False)).trains_day == pytest.approx(6.0)


def test_a_single_track_is_one_gate_for_both_directions(tiny):
    net = single_track_binds(tiny)
    one_way = only(analyse(net, demand(("west", "harbour", 300))))
    assert one_way.trains_day == pytest.approx(18.0) and one_way.binding == ("l2:both",)
    # 300 TEU/week one way, 100 the other: the shared gate splits 3:1 (the other direction alone could fill it: 18 − 18 = 0)
    report = analyse(net, demand(("west", "harbour", 300), ("harbour", "west", 100)))
    out, back = report.corridor("test", Direction.of(80, 83)), report.corridor("test", Direction.of(83, 80))
    assert (out.trains_day, back.trains_day) == (pytest.approx(13.5), pytest.approx(4.5))
    assert out.alone_trains_day == pytest.approx(18.0) and back.alone_trains_day == pytest.approx(18.0)
    assert report.element("l2:both").shared and report.element("l2:both").kind == ElementKind.BORDER_CROSSING


def test_a_shared_element_gives_a_direction_what_the_other_cannot_use(tiny):
    """The other direction is held to 5 trains/day by its own port (500 TEU/day): 18 − 5 = 13 > 3/4 × 18 is left over."""
    net = single_track_binds(tiny)
    net = edit(net, links={"l4": {}}, facilities={"port_isle": {"capacity_teu_day": 500.0}}, background=net.background)
    report = analyse(net, demand(("west", "harbour", 100), ("isle", "west", 300)))
    assert report.corridor("test", Direction.of(80, 83)).trains_day == pytest.approx(18.0 - 1.0 / 7.0 * (1 - 6 / 365), rel=1e-3)


def test_a_ferry_carries_departures_times_deck_less_background_wagons_less_storms(tiny):
    """l4 (harbour KZ → isle AZ, a Caspian crossing): 1 sailing/week × 100 TEU; 20 background wagons a week each way take 2 TEU each; storms 3 × 2 days a year."""
    lk = tiny.link_by_id["l4"]
    assert (lk.departures_per_week, lk.capacity_teu_per_departure) == (1, 100)
    open_share = 1 - 3 * 2 / 365
    c = only(analyse(tiny, demand(("west", "isle", 50))))
    assert c.trains_day == pytest.approx(100 / 7 / TRAIN_TEU * open_share, abs=1e-3)
    assert c.binding == ("l4:quay_harbour",)
    busy = edit(tiny, background=(bg("link", "l4", wagons=20.0),))
    report = analyse(busy, demand(("west", "isle", 50)))
    assert only(report).trains_day == pytest.approx((100 - 20 * 2) / 7 / TRAIN_TEU * open_share, abs=1e-3)
    quay = report.element("l4:quay_harbour")
    assert quay.kind == ElementKind.CASPIAN_CROSSING and quay.gross_trains_day == pytest.approx(100 / 7 / TRAIN_TEU)
