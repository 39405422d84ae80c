"""Demand tables: parsing with located errors, scaling, trade value → TEU, seasonality of arrivals."""

from __future__ import annotations

import numpy as np
import pytest

from silkway.errors import DataError
from silkway.simulation import Demand, Flow, default_demand, parse_demand, teu_per_week_from_trade_usd
from silkway.simulation.arrivals import generate


def test_parse_collects_every_problem_with_line_and_field(tiny_net):
    text = ("flow_id,origin,destination,corridor,via,teu_per_week,season_amplitude\n"
            "a,west,harbour,kz,,10,\n"
            "b,west,atlantis,kz,,x,\n"
            "a,west,harbour,kz,gate_kz;l9,5,1.5\n")
    with pytest.raises(DataError) as exc:
        parse_demand(text, tiny_net, file="d.csv")
    msgs = [str(p) for p in exc.value.problems]
    assert "d.csv, line 3, field 'destination': unknown node 'atlantis'" in msgs
    assert "d.csv, line 3, field 'teu_per_week': not a number: 'x'" in msgs
    assert "d.csv, line 4, field 'via': unknown node or link 'l9'" in msgs
    assert "d.csv, line 4, field 'season_amplitude': must be <= 1 (rates cannot go negative)" in msgs


def test_a_flow_corridor_is_a_link_tag(tiny_net):
    """One vocabulary: a demand row's corridor must be one of the links' corridor tags (issue 12)."""
    tags = sorted({t for lk in tiny_net.links for t in lk.corridor})
    text = ("flow_id,origin,destination,corridor,via,teu_per_week\n"
            f"a,west,harbour,{tags[0]},,10\n"
            "b,west,harbour,silk-road,,10\n")
    with pytest.raises(DataError) as exc:
        parse_demand(text, tiny_net, file="d.csv")
    msgs = [str(p) for p in exc.value.problems]
    assert len(msgs) == 1 and msgs[0].startswith("d.csv, line 3, field 'corridor': unknown corridor 'silk-road'")
    assert ", ".join(tags) in msgs[0]
    assert parse_demand(text.replace("silk-road", tags[-1]), tiny_net).corridors() == tuple(sorted({tags[0], tags[-1]}))


def test_scaling_and_trade_helper():
    d = Demand((Flow("ab", "a", "b", "kz", 100.0), Flow("ba", "b", "a", "kz", 50.0), Flow("ac", "a", "c", "middle", 10.0)))
    assert d.scaled(2.0).teu_per_week == 320.0
    assert [f.teu_per_week for f in d.scaled_od("a", "b", 3.0).flows] == [300.0, 150.0, 10.0]
    assert [f.teu_per_week for f in d.scaled_od("a", "b", 3.0, both_directions=False).flows] == [300.0, 50.0, 10.0]
    assert [f.teu_per_week for f in d.scaled_corridor("middle", 0.5).flows] == [100.0, 50.0, 5.0]
    # US$ 52.1775 M a year at US$ 10,000 per TEU = 5,217.75 TEU a year = 100 TEU a week
    assert teu_per_week_from_trade_usd(52_177_500, 10_000) == pytest.approx(100.0)
    assert d.with_trade_usd("a", "b", 52_177_500, 10_000).flows[0].teu_per_week == pytest.approx(200.0)
    with pytest.raises(DataError):
        d.scaled(-1)


def test_default_demand_sources_are_known():
    """Every default flow cites sources, and every id it cites is a row of the dataset's sources.csv."""
    from silkway.network import read_dataset
    net = read_dataset()
    known = {s.source_id for s in net.sources}
    for f in default_demand(net).flows:
        assert f.src, f.flow_id
        for sid in f.src:
            assert sid in known, (f.flow_id, sid)


def test_seasonal_arrivals_follow_the_rate():
    flow = Flow("s", "a", "b", "kz", 7 * 2 * 100.0, season_amplitude=0.5, season_peak_day=0.0)  # 100 containers/day on average
    t, _ = generate(Demand((flow,)), 365 * 24.0, 0.0, 2.0, np.random.default_rng(0))
    day = t / 24.0
    near_peak = np.sum((day < 30) | (day > 335)) / 60.0
    near_trough = np.sum((day > 152) & (day < 212)) / 60.0
    assert near_peak == pytest.approx(100 * 1.48, rel=0.05)  # mean of 1 + 0.5 cos over ±30 days ≈ 1.477
    assert near_trough == pytest.approx(100 * 0.52, rel=0.07)
