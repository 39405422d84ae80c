"""Common random numbers on the real model: the green channel changes customs, not demand, so under CRN its
cargo generated is the baseline's, replication by replication (no spurious 'significant' difference)."""

from __future__ import annotations

from pathlib import Path

from silkway.scenarios.backends import LocalBackend
from silkway.services import studies as svc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_green_channel_does_not_change_generated_cargo_under_crn(tmp_path: Path):
    spec = svc.make_spec([EXAMPLES / "baseline-2023.yaml", EXAMPLES / "green-channel.yaml"], 3, seed=5, days=20, detail_reps=0)
    assert spec.crn  # the default
    run = svc.run(spec, tmp_path / "s.duckdb", LocalBackend(1))
    assert run.complete
    rec, table = svc.summary(spec.study_id, tmp_path / "s.duckdb")
    g = table[(table["kpi"] == "generated_teu") & (table["scenario"] == "green-channel")].iloc[0]
    assert g["test"] == "paired" and g["diff"] == 0 and g["p_value"] == 1.0 and not g["significant"]
    assert g["name"] == "Cargo ready to ship" and g["unit"] == "TEU"
    notes = svc.notes(rec, table)
    assert notes[0].startswith("warning: only 3 replication(s)") and any("common random numbers" in n for n in notes)
    # a place named from the dataset, not an id
    names = set(table["name"])
    assert "Longest queue at Dostyk gauge-change yard (pooled yards)" in names
    assert "Added delay at Brest–Małaszewicze rail" in names
