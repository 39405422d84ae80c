"""`silkway capacity` as a user runs it, and its service: tables, JSON, the curve's files, clean errors, scenarios."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from silkway.capacity import Direction
from silkway.capacity.curve import parse_multipliers
from silkway.cli import app
from silkway.errors import SilkwayError
from silkway.services import capacity as svc

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "examples"


def test_cli_capacity_json_on_the_tiny_dataset(sim_tiny_dir):
    res = runner.invoke(app, ["capacity", "--dataset", str(sim_tiny_dir), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    kz = [c for c in data["corridors"] if c["corridor"] == "kz"]
    assert [c["direction"] for c in kz] == ["eastbound"] and kz[0]["trains_day"] == pytest.approx(5.0)  # the harbour port
    assert kz[0]["binding"] == ["port_harbour:handling"] and kz[0]["teu_year"] == pytest.approx(5 * 100 * 365)
    kinds = {e["element_id"]: e["kind"] for e in data["elements"]}
    assert kinds["gc_gate:handling"] == "gauge_yard" and kinds["l2:both"] == "border_crossing" and kinds["l4:quay_harbour"] == "caspian_crossing"


def test_cli_capacity_prints_corridors_elements_and_the_curve(sim_tiny_dir, tmp_path):
    out = tmp_path / "curve"
    res = runner.invoke(app, ["capacity", "--dataset", str(sim_tiny_dir), "--curve", "--multipliers", "2,1", "--replications", "2",
                              "--days", "10", "--seed", "7", "--out", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "binding elements" in text and "Harbour seaport" in text and "Saturation curve" in text and "seeds 7, 8" in text
    table = pd.read_csv(out / "saturation.csv")
    assert sorted(table.multiplier.unique()) == [1.0, 2.0] and set(table.n) == {2}
    runs = pd.read_parquet(out / "saturation_runs.parquet")
    assert runs.groupby("multiplier").seed.apply(lambda s: tuple(sorted(set(s)))).tolist() == [(7, 8), (7, 8)]  # common random numbers
    assert (out / "saturation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pd.read_parquet(out / "saturation.parquet").equals(table) or len(pd.read_parquet(out / "saturation.parquet")) == len(table)


@pytest.mark.parametrize(("text", "message"), [("1,x", "'x' is not a number"), ("0,1", "not a multiplier > 0"), (" , ", "separated by commas"),
                                               ("1,1", "repeated"), ("nan", "not a multiplier > 0")])
def test_bad_multiplier_lists_are_clear_errors(text, message):
    with pytest.raises(SilkwayError, match=message):
        parse_multipliers(text)


def test_cli_errors_are_clean(tmp_path):
    for args, message in ((["--curve", "--multipliers", "1,-2"], "not a multiplier > 0"),
                          (["--scenario", str(tmp_path / "nope.yaml")], "not found"),
                          (["--as-of", "someday"], "not a date")):
        proc = subprocess.run([sys.executable, "-c", "from silkway.cli import main; main()", "capacity", *args], capture_output=True, text=True)
        assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_a_scenario_is_applied_before_the_analysis():
    """The Dostyk–Moyinty second track takes that single track out of the northern cut and lifts the westbound capacity."""
    _, base = svc.capacity(scenario=EXAMPLES / "baseline-2023.yaml")
    _, doubled = svc.capacity(scenario=EXAMPLES / "dostyk-moyinty-double-track.yaml")
    assert base.as_of.isoformat() == "2023-06-30"
    before, after = base.corridor("northern", Direction.WESTBOUND), doubled.corridor("northern", Direction.WESTBOUND)
    assert "kz_dostyk_aktogay:both" in before.binding and "kz_dostyk_aktogay:both" not in after.binding
    assert after.trains_day > before.trains_day + 1.0
