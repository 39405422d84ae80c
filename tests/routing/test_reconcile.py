"""The legs' total (every step at its median) and the displayed median are reconciled by two named parts."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from silkway.cli import app
from silkway.network import read_dataset
from silkway.routing import Router, router_of


@pytest.fixture(scope="module")
def router():
    return router_of(read_dataset())


def test_parts_add_up_and_a_route_without_timetables_has_no_timetable_part(router):
    res = router.route("Xian", "Duisburg", alternatives=5)
    for opt in res.options:
        legs_days = sum(leg.hours for leg in opt.legs) / 24
        assert legs_days == pytest.approx(opt.days_nominal)
        assert legs_days + opt.gap_variability_days + opt.gap_timetable_days == pytest.approx(opt.days_median)
        scheduled = any(leg.kind == "wait" for leg in opt.legs)
        if not scheduled:  # only rail and road: no departure to miss or catch
            assert opt.gap_timetable_days == pytest.approx(0, abs=1e-9)
    assert any(not any(leg.kind == "wait" for leg in o.legs) for o in res.options)  # the branch above ran
    northern = next(o for o in res.options if o.corridor == "northern")
    assert northern.gap_variability_days > 0.5  # right-skewed steps: the gap of the issue is mostly this


def test_no_spread_no_gap_and_a_weekly_ferry_gives_a_timetable_part():
    """With P90 = median everywhere (the fixed fixture) both parts are exactly 0; tiny's weekly ferry, missed by
    1.4 h at the nominal times, is caught by some sampled arrivals: the timetable part is not 0."""
    fixed = Router(read_dataset("tests/fixtures/routing_tiny_fixed")).route("west", "isle").best
    assert (fixed.gap_variability_days, fixed.gap_timetable_days) == (0.0, 0.0)
    assert fixed.days_median == fixed.days_nominal
    tiny = Router(read_dataset("tests/fixtures/tiny")).route("west", "isle", samples=4000).best
    assert abs(tiny.gap_timetable_days) > 0.05


def test_cli_and_json_show_the_reconciliation_and_via():
    runner = CliRunner()
    out = runner.invoke(app, ["route", "Xi'an", "Duisburg", "--avoid", "RU"])
    assert out.exit_code == 0, out.output
    assert "legs' total" in out.output and "variability of the steps" in out.output and "timetable waits" in out.output
    assert "1 via " in out.output and ("ferry " in out.output or "feeder " in out.output)  # the Caspian crossing named
    data = json.loads(runner.invoke(app, ["route", "Xi'an", "Duisburg", "--json"]).output)
    opt = data["options"][0]
    assert {"gap_variability_days", "gap_timetable_days", "via", "via_summary"} <= set(opt)
    assert opt["via_summary"] == "; ".join(v["label"] for v in opt["via"])


def test_the_median_of_the_draws_is_numpys_to_the_bit():
    """The planner's median and P90 (compiled quickselect, timekernel.quantiles) equal np.median and
    np.quantile(…, 0.9) for even and odd counts, with and without ties, and leave their argument as it was."""
    import numpy as np

    from silkway.routing.timekernel import quantiles

    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 4, 5, 10, 37, 999, 1000):
        for x in (rng.lognormal(3, 1, n), rng.integers(0, 4, n).astype(float), np.sort(rng.random(n)), np.sort(rng.random(n))[::-1].copy()):
            before = x.copy()
            q50, q90 = quantiles(x)
            assert q50 == float(np.median(x)), n
            assert q90 == float(np.quantile(x, 0.9)), n
            assert np.array_equal(x, before)
    assert quantiles(np.array([1.0, 1.0, 5.0, 7.0]))[0] == 3.0
