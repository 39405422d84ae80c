"""Studies with the real simulation engine on the tiny network, through the services and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.cli import app
from silkway.errors import ScenarioError
from silkway.scenarios.backends import LocalBackend
from silkway.scenarios.store import ResultsStore
from silkway.services import studies as svc

DATA = Path(__file__).resolve().parent / "data"
BASE, FERRIES, BAD = DATA / "tiny-base.yaml", DATA / "tiny-ferries.yaml", DATA / "bad.yaml"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    store = tmp_path_factory.mktemp("real") / "s.duckdb"
    spec = svc.make_spec([BASE, FERRIES], 4, seed=3, detail_reps=2)
    run = svc.run(spec, store, LocalBackend(2))
    return spec, store, run


def test_real_study_stores_kpis_and_details(study):
    spec, store, run = study
    assert run.complete and run.ran == 8
    with ResultsStore(store, read_only=True) as s:
        k = s.kpis(spec.study_id)
        assert {"delivered_teu", "trains_border_gate_cn", "max_queue_trains_l4_quay_harbour"} <= set(k["kpi"])
        for kind in ("queue", "transit", "flow"):
            d = s.details(spec.study_id, kind)
            assert set(d["rep"]) == {0, 1}, kind
        flows = s.details(spec.study_id, "flow")
        # every train runs west→gate→...: link l1 carries at least as much as the ferry l4
        per_link = flows[flows["rep"] == 0].groupby(["scenario_hash", "key"])["y"].sum()
        for h in (sc.hash for sc in spec.scenarios):
            assert per_link[(h, "l1")] >= per_link[(h, "l4")] > 0


def test_more_ferries_cut_refused_cargo_significantly(study):
    spec, store, _ = study
    rec, table = svc.summary(spec.study_id, store)
    # one weekly ferry of 100 TEU for ~550 TEU/week westbound cannot keep up: booking refuses what waits beyond its
    # patience (the harbour queue stays short); four a week nearly can
    row = table[(table["kpi"] == "refused_teu") & (table["scenario"] == "tiny-ferries")].iloc[0]
    assert row["diff"] < 0 and row["significant"] and row["test"] == "paired"  # common random numbers by default
    row = table[(table["kpi"] == "delivered_teu") & (table["scenario"] == "tiny-ferries")].iloc[0]
    assert row["diff"] > 0 and row["significant"]


def test_same_seed_same_results_across_worker_counts(study, tmp_path):
    spec, store, _ = study
    run = svc.run(spec, tmp_path / "one.duckdb", LocalBackend(1))
    assert run.complete
    with ResultsStore(store, read_only=True) as a, ResultsStore(tmp_path / "one.duckdb", read_only=True) as b:
        ka = a.kpis(spec.study_id).sort_values(["scenario_hash", "rep", "kpi"]).reset_index(drop=True)
        kb = b.kpis(spec.study_id).sort_values(["scenario_hash", "rep", "kpi"]).reset_index(drop=True)
        assert ka.equals(kb)


def test_cli_study_report_and_errors(tmp_path):
    runner = CliRunner()
    store = tmp_path / "c.duckdb"
    res = runner.invoke(app, ["study", str(BASE), str(FERRIES), "-r", "2", "--seed", "5", "--store", str(store),
                              "--workers", "1", "--export", str(tmp_path / "pq")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())  # rich wraps at the terminal width
    assert "paired t-tests" in text and "Holm" in text and "Cargo delivered" in text
    assert "warning: only 2 replication(s) per scenario" in text
    assert "[dim]" not in text and "[yellow]" not in text and "[/]" not in text  # styles applied, not printed
    assert (tmp_path / "pq" / "kpis.parquet").is_file()
    again = runner.invoke(app, ["study", str(BASE), str(FERRIES), "-r", "2", "--seed", "5", "--store", str(store), "--workers", "1"])
    assert "0 replication(s) run, 4 already stored" in " ".join(again.output.split())
    rep = runner.invoke(app, ["report", "latest", "--store", str(store), "--out", str(tmp_path / "r")])
    assert rep.exit_code == 0, rep.output
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r"data:image/png;base64", html)) == 5  # two maps on one scale, the difference map, queues, transit


def test_cli_scenario_errors_have_no_traceback():
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "silkway", "scenario", "validate", str(BAD)], capture_output=True, text=True)
    assert res.returncode == 1
    err = " ".join(res.stderr.split())
    assert "bad.yaml: links[0].between: unknown place 'Harbor'. Did you mean: Harbour?" in err
    assert "Traceback" not in res.stderr


def test_demo_runs_end_to_end(tmp_path, monkeypatch):
    """What `make run` calls: headline routes, the three-scenario study and the report (2 replications here), from a
    folder that is not the repository: the example scenarios come with the package, the outputs go to the working
    folder's default paths."""
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["demo", "-r", "2", "--workers", "1"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    for phrase in ("1. Routes for the headline pairs", "2. Study", "4. Report", "Where does doubled trade break the corridor?",
                   "What does the green channel buy?", "delivered"):
        assert phrase in text, phrase
    assert (tmp_path / "silkway-report" / "report.html").stat().st_size > 100_000
    assert (tmp_path / "silkway-results" / "silkway.duckdb").is_file()


def test_the_demo_scenarios_ship_with_the_package(tmp_path, monkeypatch):
    from silkway.defaults import examples_dir

    monkeypatch.chdir(tmp_path)  # no examples/ here
    paths = svc.demo_scenarios()
    assert [p.name for p in paths] == list(svc.DEMO_SCENARIOS) and all(p.is_absolute() and p.is_file() for p in paths)
    assert paths[0].parent == examples_dir()
    with pytest.raises(ScenarioError, match="missing example scenario"):
        svc.demo_scenarios(tmp_path)


def test_demo_routes_cover_the_headline_pairs():
    routes = svc.demo_routes()
    assert [(r.origin, r.destination) for r in routes] == [
        ("xian", "duisburg"), ("lianyungang", "alat"), ("chongqing", "istanbul"), ("almaty", "bandar_abbas")]
    assert all(r.options and r.options[0].days_median > 0 for r in routes)
