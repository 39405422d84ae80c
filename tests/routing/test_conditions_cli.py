"""``--conditions`` on ``silkway route``, ``conditions=`` in the Python API, ``silkway conditions check|build``."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

import silkway
from silkway.cli import app
from silkway.services import conditions as csvc

runner = CliRunner()


def _json(*args: str) -> dict:
    res = runner.invoke(app, ["route", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_typical_is_the_default_and_says_so():
    typ = _json("Chongqing", "Duisburg", "--depart", "2024-06-01")
    free = _json("Chongqing", "Duisburg", "--depart", "2024-06-01", "--conditions", "free")
    assert typ["conditions"]["kind"] == "typical" and "baseline simulation as of 2024-06-30" in typ["conditions"]["label"]
    assert free["conditions"]["kind"] == "free" and free["conditions"]["elements"] == 0
    t, f = typ["options"][0], free["options"][0]
    assert t["expected_wait_days"] > 0 and f["expected_wait_days"] == 0
    assert t["days_median"] >= f["days_median"]
    assert any(leg["kind"] == "queue" for leg in t["legs"]) and not any(leg["kind"] == "queue" for leg in f["legs"])
    table = runner.invoke(app, ["route", "Chongqing", "Duisburg", "--depart", "2024-06-01"]).output
    assert "typical conditions" in table and "of which expected waits" in table


def test_python_api_conditions():
    net = silkway.read_dataset(as_of="2024-06-01")
    typ = silkway.route(net, "Chongqing", "Duisburg", depart="2024-06-01")
    free = silkway.route(net, "Chongqing", "Duisburg", depart="2024-06-01", conditions="free")
    assert typ.conditions.kind.value == "typical" and free.conditions.kind.value == "free"
    assert typ.best.days_median >= free.best.days_median


def test_dataset_without_waits_warns(tiny_dir):
    res = runner.invoke(app, ["route", "West", "Isle", "--dataset", str(tiny_dir)])
    assert res.exit_code == 0
    assert "no typical waits for this dataset" in res.stderr and "conditions build --dataset" in res.stderr
    assert "free conditions" in res.stdout


def test_simulation_output_as_conditions(tmp_path, sim_tiny_dir):
    out = tmp_path / "run"
    res = runner.invoke(app, ["simulate", "--dataset", str(sim_tiny_dir), "--days", "60", "--out", str(out)])
    assert res.exit_code == 0, res.output
    d = _json("West", "Isle", "--dataset", str(sim_tiny_dir), "--conditions", str(out))
    assert d["conditions"]["kind"] == "file" and d["conditions"]["elements"] > 0  # the GeoParquet stations still read
    bad = runner.invoke(app, ["route", "West", "Isle", "--dataset", str(sim_tiny_dir), "--conditions", str(tmp_path / "nothing")])
    assert bad.exit_code == 1 and "not 'free', 'typical'" in bad.output


def test_check_and_stale(tmp_path):
    ok = runner.invoke(app, ["conditions", "check"])
    assert ok.exit_code == 0 and "up to date" in ok.stdout
    folder = tmp_path / "eurasia"
    shutil.copytree(csvc.default_dataset_path(), folder)
    (folder / "params.csv").write_text((folder / "params.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stale = runner.invoke(app, ["conditions", "check", "--dataset", str(folder)])
    assert stale.exit_code == 1 and "run 'silkway conditions build --dataset" in stale.stderr


@pytest.mark.slow
def test_build_on_tiny(sim_tiny_dir, tmp_path):
    out = tmp_path / "w.csv"
    res = runner.invoke(app, ["conditions", "build", "--dataset", str(sim_tiny_dir), "--as-of", "2024-01-01", "--replications", "2",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    head, by_day = csvc.read_typical_waits(out)
    assert head["replications"] == "2" and head["dataset_sha256"] == csvc.dataset_digest(sim_tiny_dir)
    assert list(by_day) == ["2024-01-01"] and by_day["2024-01-01"]


def test_typical_on_another_network_is_free_with_a_warning(tiny_dir):
    res = silkway.route(silkway.read_dataset(tiny_dir), "West", "Isle")
    assert res.conditions.kind.value == "free" and "not the embedded dataset" in res.conditions.warnings[0]
