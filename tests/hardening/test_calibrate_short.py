"""`silkway calibrate` on short runs. Once it multiplied the demand each iteration (a 1-day run of the embedded dataset
counts ~24 trains at Horgos against 7,762 a year: ×323, then more) until the simulated volume hit its limit; then it
refused such runs. Now a run's counts are put on a yearly footing (divided by the share of the year's TEU its window
generates), so a short run is noisy but not biased: it either converges or is shown and not written. A run that counts
too few trains to scale from is still refused at once, with what to change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.cli import app
from silkway.errors import ScenarioError
from silkway.scenarios.calibrate import Observation, calibrate
from silkway.services import studies as svc

pytestmark = pytest.mark.timeout(600)
ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "scenarios" / "data" / "tiny-base.yaml"


def test_a_one_day_run_is_not_multiplied_by_the_year(tmp_path: Path) -> None:
    """The embedded dataset, one day a run: factors stay near 1 (the yearly footing), and an unconverged fit (a day's
    counts are noisy) is printed, not written."""
    out = tmp_path / "cal.csv"
    res = CliRunner().invoke(app, ["calibrate", "--observed", str(ROOT / "examples" / "observed-2023.csv"), "--days", "1", "-r", "1",
                                   "-o", str(out)])
    text = " ".join(res.output.split())
    factors = [float(x) for x in re.findall(r"×(\d+\.\d+)", text)]
    assert factors and all(0.5 < f < 2.0 for f in factors), text  # was ×323 and more
    if res.exit_code == 1:
        assert "did not converge" in text and "was not written" in text and not out.exists(), text
    else:
        assert res.exit_code == 0 and out.exists(), text


def test_a_run_with_too_few_trains_is_refused_before_multiplying(tmp_path: Path) -> None:
    observed = tmp_path / "observed.csv"
    observed.write_text("kpi,observed,unit,source\ntrains_border_gate_kz,20,trains/year,S-test\n", encoding="utf-8")
    out = tmp_path / "cal.csv"
    res = CliRunner().invoke(app, ["calibrate", "--observed", str(observed), "--days", "5", "-r", "1", "-o", str(out),
                                   "--scenario", str(TINY)])  # the tiny chain: 3 trains in 5 days
    assert res.exit_code == 1, res.output
    text = " ".join(res.output.split())
    assert "too few to scale (at least 5 are needed)" in text and "iteration" not in text, text  # refused before multiplying
    assert "the run is too short to calibrate: simulate more days (--days 365 counts a year, now 5)" in text
    assert not out.exists()


def test_a_year_that_sees_no_train_names_the_border_not_the_days() -> None:
    inputs = svc.prepare(svc.load(TINY)).inputs.applied
    counts = iter([{"trains_border_gate_kz": 2.0}])
    with pytest.raises(ScenarioError, match=r"trains_border_gate_kz: the 365-day run counts 2.0 trains .* check the scenario's "
                                            r"demand through this border and the observed count"):
        calibrate(*inputs, [Observation("trains_border_gate_kz", 20.0)], days=365, seeds=(1,),
                  simulate_fn=lambda *_a: next(counts))
