"""A deterministic stand-in for the simulation in web tests of the study machinery.

It tests what the web owns (jobs, progress, cancel, store, results, charts) independently of the
simulation engine: KPIs and series are simple functions of (scenario, seed). Named as a double
everywhere it is used; the product runs ``services.studies`` with the real replication function.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd

from silkway.scenarios.study import Job, ReplicationOutput, StudyScenario, StudySpec
from silkway.web.study_jobs import StudyRunner

LEVEL = {"baseline": 100.0, "green-channel": 120.0}


def make_spec_double(paths: list[Path], replications: int, seed: int = 0, days: int | None = None,
                     label: str | None = None, sleep_s: float = 0.0, fail_rep: int | None = None) -> StudySpec:
    scen = tuple(StudyScenario(p.stem, hashlib.sha256(p.read_bytes()).hexdigest()[:16], {"name": p.stem},
                               {"level": LEVEL.get(p.stem, 90.0), "sleep_s": sleep_s, "fail_rep": fail_rep}) for p in paths)
    return StudySpec(scen, replications, seed=seed, days=days or 30, detail_reps=2, dataset_version="double",
                     code_version="double", label=label)


def replicate_double(job: Job, inputs: dict) -> ReplicationOutput:
    if inputs.get("sleep_s"):
        time.sleep(inputs["sleep_s"])
    if inputs.get("fail_rep") == job.rep:
        raise FloatingPointError(f"double: replication {job.rep} fails")
    rng = np.random.default_rng(job.seed)
    level = inputs["level"]
    kpis = {"delivered_teu": level * job.days + rng.normal(0, 10), "max_queue_trains_dostyk_border": float(rng.poisson(200 / level))}
    days = np.arange(job.days, dtype=float)
    queue = pd.concat([pd.DataFrame({"kind": "queue", "key": fac, "x": days, "y": rng.poisson(scale / level, job.days).astype(float)})
                       for fac, scale in (("dostyk_border", 200), ("alashankou_border", 100))])
    transit = pd.DataFrame({"kind": "transit", "key": "northern", "x": np.arange(12.0, 20.0), "y": rng.poisson(level, 8).astype(float)})
    flow = pd.DataFrame({"kind": "flow", "key": ["kz_dostyk_aktogay", "kz_aktogay_moyinty"], "x": [0.0, 0.0],
                         "y": [level * job.days, level * job.days / 2]})
    return ReplicationOutput(kpis, pd.concat([queue, transit, flow]) if job.detail else None)


def double_runner(sleep_s: float = 0.0, fail_rep: int | None = None) -> StudyRunner:
    def make_spec(paths, replications, seed=0, days=None, label=None):
        return make_spec_double(paths, replications, seed, days, label, sleep_s, fail_rep)

    return StudyRunner(make_spec=make_spec, replicate=replicate_double, workers=1)
