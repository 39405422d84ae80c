"""silkway nowcast on the shipped example observation file; bad input as located errors, no traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from silkway.cli import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "observations.csv"


def test_nowcast_on_the_example_writes_tables_and_plot(tmp_path):
    res = CliRunner().invoke(app, ["nowcast", "--observed", str(EXAMPLE), "--at", "2023-02-15T00:00Z", "--horizon", "10",
                                   "--members", "4", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    eta = pd.read_parquet(tmp_path / "eta.parquet")
    assert len(eta) > 100 and (eta["eta_p10_h"] <= eta["eta_p90_h"]).all()
    assert (pd.read_csv(tmp_path / "clearance.csv")["queue_trains_t0"] > 0).all()
    assert (tmp_path / "eta.png").stat().st_size > 1000


def test_bad_observation_rows_are_reported_with_their_line(tmp_path):
    f = tmp_path / "obs.csv"
    f.write_text("time,kind,train_id,place,stage\n2023-02-01T00:00Z,arrived,X,atlantis,handling\nsoon,arrived,X,dostyk,yard\n")
    res = CliRunner().invoke(app, ["nowcast", "--observed", str(f), "--at", "2023-02-15T00:00Z"])
    assert res.exit_code == 1
    assert "obs.csv, line 3, field 'time'" in res.output and "line 3, field 'stage'" in res.output
    assert "Traceback" not in res.output
    f.write_text("time,kind,train_id,place,stage\n2023-02-01T00:00Z,arrived,X,atlantis,handling\n")
    res = CliRunner().invoke(app, ["nowcast", "--observed", str(f), "--at", "2023-02-15T00:00Z"])
    assert res.exit_code == 1 and "obs.csv, line 2, field 'place': unknown" in res.output
    res = CliRunner().invoke(app, ["nowcast", "--observed", str(f), "--at", "tomorrow"])
    assert res.exit_code == 1 and "--at 'tomorrow'" in res.output


def test_python_api_top_level_run_nowcast():
    """``silkway.run_nowcast`` is the service's function: the notebook entry point of the nowcast."""
    import silkway
    from silkway.services.nowcast import run_nowcast

    assert silkway.run_nowcast is run_nowcast
