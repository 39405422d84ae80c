"""Golden tests: every example scenario, run seeded on a short horizon with the real simulation, must
reproduce the KPI summary committed in ``examples/golden/<name>.json``.

Regenerate after an intended model or data change (then review the diff):
``SILKWAY_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden -q`` (see docs/studies.md).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from silkway.scenarios.backends import LocalBackend
from silkway.services import studies as svc

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = ROOT / "examples" / "golden"
DAYS, REPLICATIONS, SEED = 45, 2, 2023
REL_TOL = 1e-9


def summarise(path: Path, tmp: Path) -> dict:
    # seeds as when the goldens were made (independent per scenario; with one scenario CRN only renames the seeds)
    spec = svc.make_spec([path], REPLICATIONS, seed=SEED, days=DAYS, detail_reps=0, crn=False)
    run = svc.run(spec, tmp / "golden.duckdb", LocalBackend(1))
    assert run.complete
    _, table = svc.summary(spec.study_id, tmp / "golden.duckdb")
    return {"scenario": spec.scenarios[0].name, "scenario_hash": spec.scenarios[0].hash, "days": DAYS,
            "replications": REPLICATIONS, "seed": SEED, "dataset_version": spec.dataset_version,
            "kpis_mean": {r.kpi: round(float(r.mean), 9) for r in table.itertuples()}}


def test_every_required_example_exists():
    names = {p.stem for p in EXAMPLES}
    assert {"baseline-2023", "double-trade", "green-channel", "dostyk-moyinty-double-track", "caspian-storm-week",
            "avoid-russia"} <= names
    assert "double-trade-green-double-track" in names  # the combination


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_matches_golden(path: Path, tmp_path: Path, update_golden: bool):
    got = summarise(path, tmp_path)
    target = GOLDEN / f"{path.stem}.json"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        target.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert target.is_file(), f"no golden output {target}; create it with SILKWAY_UPDATE_GOLDEN=1"
    want = json.loads(target.read_text(encoding="utf-8"))
    hint = ("" if want["scenario_hash"] == got["scenario_hash"] and want["dataset_version"] == got["dataset_version"]
            else f" (scenario or dataset changed: {want['dataset_version']} → {got['dataset_version']})")
    assert set(got["kpis_mean"]) == set(want["kpis_mean"]), f"KPI names differ{hint}"
    bad = {k: (want["kpis_mean"][k], v) for k, v in got["kpis_mean"].items()
           if not math.isclose(v, want["kpis_mean"][k], rel_tol=REL_TOL, abs_tol=1e-9)}
    assert not bad, f"{len(bad)} KPI(s) differ from {target.name}{hint}: {dict(list(bad.items())[:8])}"
