"""Calibration of per-border demand volumes to observed train counts (real engine, tiny network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.errors import ScenarioError
from silkway.scenarios.calibrate import Observation, calibrate, demand_csv, parse_observed
from silkway.services import studies as svc
from silkway.simulation import parse_demand, read_demand

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def tiny():
    inputs = svc.prepare(svc.load(DATA / "tiny-base.yaml")).inputs.applied
    return inputs


def test_parse_observed_collects_problems():
    obs = parse_observed("kpi,observed,unit,source\ntrains_border_gate_cn,120,trains/year,test\n")
    assert obs == [Observation("trains_border_gate_cn", 120.0, "trains/year", "test")]
    with pytest.raises(ScenarioError, match=r"line 2, field 'observed': not a number.*line 3, field 'kpi'"):
        parse_observed("kpi,observed\ntrains_border_x,abc\ndelivered_teu,5\n")


def test_fit_recovers_a_known_volume_factor(tiny):
    net, demand, options = tiny
    seeds = (11, 12)
    # "observed" = what the engine gives with the flows through gate_cn at 1.6x volume
    from silkway.scenarios.calibrate import border_groups, scale_groups
    from silkway.simulation import simulate

    groups = border_groups(net, demand, options, ["trains_border_gate_cn"])
    truth = scale_groups(demand, groups, {"trains_border_gate_cn": 1.6})
    target = sum(simulate(net, truth, days=30, seed=s, options=options).kpis()["trains_border_gate_cn"] for s in seeds) / 2
    res = calibrate(net, demand, options, [Observation("trains_border_gate_cn", target)], days=30, seeds=seeds, tol=0.01)
    assert abs(res.rel_error()["trains_border_gate_cn"]) <= 0.01
    assert abs(res.rel_error("before")["trains_border_gate_cn"]) > 0.2
    assert res.factors["trains_border_gate_cn"] == pytest.approx(1.6, rel=0.1)
    assert res.demand.teu_per_week > demand.teu_per_week
    # the written CSV reads back as the same demand
    again = parse_demand(demand_csv(res.demand), net)
    assert [f.teu_per_week for f in again.flows] == pytest.approx([f.teu_per_week for f in res.demand.flows], rel=1e-5)


def test_borders_sharing_flows_cannot_be_separated(tiny):
    net, demand, options = tiny
    obs = [Observation("trains_border_gate_cn", 100), Observation("trains_border_gate_kz", 100)]
    with pytest.raises(ScenarioError, match="share flows"):
        calibrate(net, demand, options, obs, days=10, seeds=(1,))


def test_service_writes_the_calibrated_demand(tmp_path):
    obs = tmp_path / "obs.csv"
    obs.write_text("kpi,observed,unit,source\ntrains_border_gate_cn,60,trains,test\n", encoding="utf-8")
    out = tmp_path / "cal.csv"
    res, _ = svc.calibrate(obs, DATA / "tiny-base.yaml", days=30, replications=2, out=out)
    net = svc.network_for(svc.load(DATA / "tiny-base.yaml"))
    written = read_demand(out, net)
    assert written.teu_per_week == pytest.approx(res.demand.teu_per_week, rel=1e-5)
    assert "calibrated: x" in out.read_text()
