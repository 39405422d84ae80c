"""`silkway calibrate` on a run too short for yearly counts stops at once with what to change. Before, it multiplied
the demand each iteration (a 1-day run of the embedded dataset counts ~24 trains at Horgos against 7,762 a year:
×323, then more) until the simulated volume hit its limit, and said only that ("lower the demand scale or the
days"); a run that counted 0 trains said "cannot scale it" without the cause."""

from __future__ import annotations

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


@pytest.mark.parametrize(("observed", "scenario", "days", "why"), [
    (ROOT / "examples" / "observed-2023.csv", None, "1", "would scale its demand ×"),  # the embedded dataset: 24 vs 7,762
    (None, TINY, "5", "too few to scale (at least 5 are needed)"),  # the tiny chain: 3 trains in 5 days
])
def test_a_short_run_is_refused_before_multiplying(tmp_path: Path, observed: Path | None, scenario: Path | None, days: str,
                                                   why: str) -> None:
    if observed is None:
        observed = tmp_path / "observed.csv"
        observed.write_text("kpi,observed,unit,source\ntrains_border_gate_kz,20,trains/year,S-test\n", encoding="utf-8")
    out = tmp_path / "cal.csv"
    args = ["calibrate", "--observed", str(observed), "--days", days, "-r", "1", "-o", str(out)]
    res = CliRunner().invoke(app, args + (["--scenario", str(scenario)] if scenario else []))
    assert res.exit_code == 1, res.output
    assert why in res.output and "iteration" not in res.output, res.output  # refused before the first multiplication
    assert f"the run is too short to calibrate: the observations count a year, so simulate one (--days 365, now {days})" \
        in " ".join(res.output.split())
    assert not out.exists()


def test_a_year_that_sees_no_train_names_the_border_not_the_days() -> None:
    inputs = svc.prepare(svc.load(TINY)).inputs.applied
    counts = iter([{"trains_border_gate_kz": 2.0}])
    with pytest.raises(ScenarioError, match=r"trains_border_gate_kz: the 365-day run counts 2.0 trains .* check the scenario's "
                                            r"demand through this border and the observed count"):
        calibrate(*inputs, [Observation("trains_border_gate_kz", 20.0)], days=365, seeds=(1,),
                  simulate_fn=lambda *_a: next(counts))
