"""What an investment plan hands to people: the Python API's result and its frames, the files of ``--out`` (tables,
frontier chart, map of the chosen upgrades), the stored result the web app lists, and the HTML report's section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import silkway
from silkway.invest.result import InvestResult

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def planned(invest_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("invest_out") / "store"
    result = silkway.plan_investments(invest_dir / "scenario.yaml", 100, "delivered", replications=3, days=20, delta=100.0, workers=1,
                            store=store)
    return result, store


def test_python_api_returns_frames(planned) -> None:
    r, _ = planned
    assert isinstance(r, InvestResult) and r.build_order == ("ferry",)
    f = r.to_frame()
    assert list(f["portfolio"]) == [q.portfolio for q in r.frontier] and f["capital_usd"].is_monotonic_increasing
    assert f["benefit_teu"].is_monotonic_increasing and (f["ci95_low"] <= f["benefit_teu"]).all()
    assert (f["benefit_teu"] <= f["ci95_high"]).all()
    b = r.build_order_frame()
    assert list(b["project_id"]) == ["ferry"] and b.loc[0, "marginal_ci95_low"] > 0
    assert b.loc[0, "name"] == r.names["ferry"] != "ferry"


def test_stored_result_round_trips_and_is_listed(planned) -> None:
    from silkway.services.invest import stored_result, stored_runs

    r, store = planned
    runs = stored_runs(store)
    assert [(x["run_id"], x["objective"], x["selected"]) for x in runs] == [(r.run_id, "delivered", r.best.portfolio)]
    got, geometry = stored_result(store, runs[0]["run_id"], runs[0]["result"])
    assert got == r
    assert stored_result(store, runs[0]["run_id"], "result-npv-1") is None
    # where each project acts: the ferry's link l4 (84°E → 85°E... of the tiny chain), the yard's gate, the track's link
    assert len(geometry["ferry"]["lines"]) == 1 and not geometry["ferry"]["points"]
    assert geometry["yard"]["points"] and not geometry["yard"]["lines"]
    assert len(geometry["track"]["lines"]) == 2  # two changes on the same link l2


def test_out_files_and_report_section(planned, invest_dir: Path, tmp_path: Path) -> None:
    from silkway.services.invest import load_result, report_section, stored_runs

    r, store = planned
    from typer.testing import CliRunner

    from silkway.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["invest", "--scenario", str(invest_dir / "scenario.yaml"), "--budget", "100", "-r", "3",
                                   "--days", "20", "--delta", "100", "--workers", "1", "--store", str(store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "0 simulations run" in res.output  # everything came from the store
    names = sorted(p.name for p in out.iterdir())
    assert names == ["build_order.csv", "frontier.csv", "frontier.png", "invest.json", "upgrades_map.png"]
    assert (out / "frontier.png").read_bytes()[:8] == PNG and (out / "upgrades_map.png").read_bytes()[:8] == PNG
    assert (out / "frontier.csv").read_text().splitlines()[0].startswith("portfolio,capital_usd,benefit_teu,ci95_low,ci95_high")
    again, _ = load_result(out / "invest.json")
    assert again.frontier == r.frontier and again.stages == r.stages
    html = report_section(out / "invest.json")
    assert html.count("data:image/png;base64,") == 2 and "Build order" in html and r.names["ferry"] in html
    assert stored_runs(store)[0]["build_order"] == ["ferry"]
    (tmp_path / "bad.json").write_text(json.dumps({"result": {}}))
    with pytest.raises(silkway.ScenarioError, match="not an invest result"):
        load_result(tmp_path / "bad.json")
