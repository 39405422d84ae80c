"""Calibration of per-border demand volumes to observed train counts (real engine, tiny network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.errors import ScenarioError
from silkway.scenarios.calibrate import Observation, calibrate, demand_csv, parse_observed, window_share
from silkway.services import studies as svc
from silkway.simulation import parse_demand, read_demand
from silkway.simulation.demand import Flow

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
    share = window_share([f for f in demand.flows if f.flow_id in groups["trains_border_gate_cn"]], 30)
    yearly = target / share  # observations are yearly counts; the run counts 30 days
    res = calibrate(net, demand, options, [Observation("trains_border_gate_cn", yearly)], days=30, seeds=seeds, tol=0.01)
    assert res.converged
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
    obs.write_text("kpi,observed,unit,source\ntrains_border_gate_cn,400,trains,test\n", encoding="utf-8")  # a year's count
    out = tmp_path / "cal.csv"
    res, _ = svc.calibrate(obs, DATA / "tiny-base.yaml", days=30, replications=2, out=out)
    assert res.converged, (res.after, res.observed)
    net = svc.network_for(svc.load(DATA / "tiny-base.yaml"))
    written = read_demand(out, net)
    assert written.teu_per_week == pytest.approx(res.demand.teu_per_week, rel=1e-5)
    assert "calibrated: x" in out.read_text()


def _flow(amplitude: float, peak: float, teu: float = 70.0) -> Flow:
    return Flow("f", "a", "b", "x", teu, season_amplitude=amplitude, season_peak_day=peak)


@pytest.mark.parametrize(("amplitude", "peak", "days"), [(0.0, 0.0, 30), (0.4, 20.0, 30), (0.4, 200.0, 30), (0.9, 100.0, 200),
                                                          (0.4, 20.0, 365), (0.3, 50.0, 730)])
def test_window_share_is_the_integral_of_the_seasonal_rate(amplitude: float, peak: float, days: int) -> None:
    """Against a plain sum of the simulation's own daily rate (0.01-day steps): the share of a year's TEU a window makes."""
    import numpy as np

    f = _flow(amplitude, peak)
    step = 0.01
    t = np.arange(0.0, days, step) + step / 2
    year = np.arange(0.0, 365.0, step) + step / 2
    expected = f.rate_teu_per_day(t).sum() / f.rate_teu_per_day(year).sum()
    assert window_share([f], days) == pytest.approx(expected, rel=1e-6)


def test_a_short_run_is_put_on_a_yearly_footing(tiny) -> None:
    """A 73-day run of seasonal flows counts a fraction of a year's trains; before, it was compared with the yearly
    count as it was, so the fit multiplied the demand by several times. With a count exactly proportional to the
    window's TEU, the fit keeps the demand (factor 1) and reports yearly figures equal to the observed."""
    from dataclasses import replace

    from silkway.scenarios.calibrate import border_groups

    net, demand, options = tiny
    demand = type(demand)(tuple(replace(f, season_amplitude=0.5, season_peak_day=30.0) for f in demand.flows))
    groups = border_groups(net, demand, options, ["trains_border_gate_cn"])
    mine = [f for f in demand.flows if f.flow_id in groups["trains_border_gate_cn"]]
    per_teu = 0.1  # trains per TEU the fake engine counts

    def fake(_net, d, days, _seed, _options):  # the group's window TEU (as scaled in d) × trains per TEU
        return {"trains_border_gate_cn": per_teu * sum(window_share([f], days) * f.teu_per_week / 7 * 365
                                                       for f in d.flows if f.flow_id in groups["trains_border_gate_cn"])}

    observed = per_teu * sum(f.teu_per_week / 7 * 365 for f in mine)  # a year of the same engine
    assert window_share(mine, 73) > 73 / 365 * 1.2  # the window holds the seasonal peak: more than its days' share
    res = calibrate(net, demand, options, [Observation("trains_border_gate_cn", observed)], days=73, seeds=(1,), simulate_fn=fake)
    assert res.converged and res.iterations == 0
    assert res.factors["trains_border_gate_cn"] == 1.0
    assert res.before["trains_border_gate_cn"] == pytest.approx(observed)


def test_a_fit_that_does_not_converge_is_shown_but_not_written(tmp_path) -> None:
    """An engine whose count does not follow the demand (here: a constant) cannot be fitted: the service returns the
    result with converged False and writes no demand; the command prints the table and exits 1 saying so."""
    from typer.testing import CliRunner

    from silkway.cli import app
    from silkway.scenarios import calibrate as cal

    obs = tmp_path / "obs.csv"
    obs.write_text("kpi,observed,unit,source\ntrains_border_gate_cn,600,trains/year,test\n", encoding="utf-8")
    out = tmp_path / "cal.csv"
    real = cal._engine
    cal._engine = lambda *_a: {"trains_border_gate_cn": 300.0}
    try:
        res, _ = svc.calibrate(obs, DATA / "tiny-base.yaml", days=365, replications=1, out=out)
        assert not res.converged and res.iterations == 6 and not out.exists()
        cli = CliRunner().invoke(app, ["calibrate", "--observed", str(obs), "--scenario", str(DATA / "tiny-base.yaml"),
                                       "--days", "365", "-r", "1", "-o", str(out)])
    finally:
        cal._engine = real
    assert cli.exit_code == 1, cli.output
    text = " ".join(cli.output.split())
    assert "did not converge within 0.5% in 6 iteration(s)" in text and "was not written" in text and not out.exists()
