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
    kpis = {"throughput_teu": level + rng.normal(0.0, 5.0) * level / 100.0, "max_queue_trains_gc_gate": float(rng.poisson(4)),
            "rep_index": float(job.rep)}
    details = None
    if job.detail:
        days = np.arange(job.days, dtype=float)
        queue = pd.DataFrame({"kind": "queue", "key": "gc_gate", "x": days, "y": rng.poisson(3, size=job.days).astype(float)})
        transit = pd.DataFrame({"kind": "transit", "key": "kz", "x": rng.gamma(9.0, 1.0, size=50), "y": 100.0})
        flow = pd.DataFrame({"kind": "flow", "key": ["l1", "l2", "l3", "l4"], "x": 0.0, "y": [level * 10, level * 10, level * 8, level]})
        details = pd.concat([queue, transit, flow], ignore_index=True)
    return ReplicationOutput(kpis, details)


def double_spec(replications: int = 4, seed: int = 7, sleep_s: float = 0.0, crn: bool = False) -> StudySpec:
    scen = (
        StudyScenario("base", "aaaaaaaaaaaaaaaa", {"name": "base", "dataset": str(TINY)}, {"level": 100.0, "sleep_s": sleep_s}),
        StudyScenario("more", "bbbbbbbbbbbbbbbb", {"name": "more", "dataset": str(TINY)}, {"level": 110.0, "sleep_s": sleep_s}),
    )
    return StudySpec(scen, replications, seed=seed, days=20, crn=crn, detail_reps=1, dataset_version="test", code_version="test")
