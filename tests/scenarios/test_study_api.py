"""silkway.study(): the notebook entry point runs through the service and returns a readable result."""

from __future__ import annotations

from pathlib import Path

import silkway

DATA = Path(__file__).resolve().parent / "data"


def test_study_runs_and_summarises(tmp_path: Path):
    res = silkway.study([DATA / "tiny-base.yaml", DATA / "tiny-ferries.yaml"], 2, seed=1, store=tmp_path / "s.duckdb", workers=1)
    assert res.run.complete and res.record.crn
    assert res.notes[0].startswith("warning: only 2 replication(s)")
    head = res.headline()
    assert ("delivered_teu", "Cargo delivered", "TEU") in head.index
    assert head.index.get_level_values("kpi")[0] == "delivered_teu"  # reading order, not alphabetical
    assert res.headline(all_kpis=True).shape[0] == res.table["kpi"].nunique()
    assert repr(res).startswith(f"StudyResult({res.study_id}: tiny-base, tiny-ferries") and "<table>" in res._repr_html_()
    again = silkway.study([DATA / "tiny-base.yaml", DATA / "tiny-ferries.yaml"], 2, seed=1, store=tmp_path / "s.duckdb", workers=1)
    assert again.run.ran == 0 and again.run.skipped == 4  # resumed from the store
