"""A test double for the replication function: a small deterministic function of (scenario inputs, seed).

Used only to test the study machinery (store, runner, resume, backends) independently of the
simulation engine; the product runs ``silkway.scenarios.replicate.simulate_replication``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from silkway.scenarios.study import Job, ReplicationOutput, StudyScenario, StudySpec

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"


def replicate_double(job: Job, inputs: dict | None) -> ReplicationOutput:
    params = inputs or {}
    if params.get("sleep_s"):
        time.sleep(params["sleep_s"])
    rng = np.random.default_rng(job.seed)
    level = float(params.get("level", 100.0))
    kpis = {"throughput_teu": level + rng.normal(0.0, 5.0), "max_queue_trains": float(rng.poisson(4)), "rep_index": float(job.rep)}
    details = None
    if job.detail:
        days = np.arange(job.days, dtype=float)
        details = pd.DataFrame({"kind": "queue", "key": "gate", "x": days, "y": rng.poisson(3, size=job.days).astype(float)})
    return ReplicationOutput(kpis, details)


def double_spec(replications: int = 4, seed: int = 7, sleep_s: float = 0.0, crn: bool = False) -> StudySpec:
    scen = (
        StudyScenario("base", "aaaaaaaaaaaaaaaa", {"name": "base"}, {"level": 100.0, "sleep_s": sleep_s}),
        StudyScenario("more", "bbbbbbbbbbbbbbbb", {"name": "more"}, {"level": 110.0, "sleep_s": sleep_s}),
    )
    return StudySpec(scen, replications, seed=seed, days=20, crn=crn, detail_reps=1, dataset_version="test", code_version="test")
