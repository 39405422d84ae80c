"""Studies: R replications of each scenario, seeds derived from (study seed, scenario hash, index).

``run_study`` is backend-agnostic: a backend runs picklable :class:`Job` s through a replication
function in worker processes (``LocalBackend``) or on a Dask cluster (``DaskBackend``) and yields
results as they finish; the parent alone writes them to the store, one transaction each.
Replications already in the store are skipped, so re-running an interrupted study resumes it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd

from silkway.scenarios.store import ResultsStore, StudyRecord

# What a replication function receives besides its Job: the product's is scenarios.replicate.SimInputs (the applied
# network, demand and options); tests pass small doubles. One study's scenarios share the type.
InputsT = TypeVar("InputsT")


@dataclass(frozen=True)
class StudyScenario(Generic[InputsT]):
    """A scenario as a study sees it: name, hash, definition (for the store) and prepared inputs."""

    name: str
    hash: str
    definition: dict[str, Any]
    inputs: InputsT  # what the replication function needs


@dataclass(frozen=True)
class Job:
    """One replication: picklable, self-describing."""

    scenario_name: str
    scenario_hash: str
    rep: int
    seed: int
    days: int
    detail: bool  # record queue/transit/flow details (the report's plots) for this replication


@dataclass(frozen=True)
class ReplicationOutput:
    kpis: dict[str, float]
    details: pd.DataFrame | None = None  # columns kind, key, x, y
    wall_s: float = 0.0


# one seeded replication of one scenario (runs in a worker): (job, the scenario's inputs) -> KPIs and details
ReplicateFn = Callable[[Job, InputsT], ReplicationOutput]


class Backend(Protocol):
    def run(self, fn: ReplicateFn[InputsT], jobs: list[Job],
            inputs: dict[str, InputsT]) -> Iterator[tuple[Job, ReplicationOutput]]:
        """Yield (job, output) as replications finish; stop cleanly when the generator is closed."""
        ...


@dataclass(frozen=True)
class StudySpec:
    scenarios: tuple[StudyScenario[Any], ...]
    replications: int
    seed: int = 0
    days: int = 365
    crn: bool = True  # common random numbers: replication i of every scenario uses the same seed (paired comparisons)
    detail_reps: int = 3  # replications 0..detail_reps-1 record details for the report
    dataset_version: str = "unknown"
    code_version: str = "unknown"
    label: str | None = None

    @property
    def study_id(self) -> str:
        key = {"scenarios": [s.hash for s in self.scenarios], "seed": self.seed, "days": self.days, "crn": self.crn,
               "dataset": self.dataset_version, "code": self.code_version}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]

    def record(self) -> StudyRecord:
        label = self.label or "+".join(s.name for s in self.scenarios)
        return StudyRecord(self.study_id, label, datetime.now(UTC), self.seed, self.days, self.replications, self.crn,
                           [{"name": s.name, "hash": s.hash} for s in self.scenarios], self.dataset_version, self.code_version)


@dataclass
class StudyRun:
    """What a call of run_study did."""

    study_id: str
    total: int
    skipped: int
    ran: int = 0
    interrupted: bool = False
    wall_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.skipped + self.ran == self.total


def replication_seed(study_seed: int, scenario_hash: str, rep: int, crn: bool = False) -> int:
    """A 63-bit seed from (study seed, scenario hash, index): independent of backend, worker and order.
    With ``crn`` the scenario hash is left out, so replication i of every scenario shares its seed."""
    key = f"{study_seed}:{'' if crn else scenario_hash}:{rep}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") >> 1


def plan_jobs(spec: StudySpec, finished: set[tuple[str, int]]) -> list[Job]:
    """The replications still to run, interleaved across scenarios (so partial results stay balanced)."""
    jobs = []
    for rep in range(spec.replications):
        for sc in spec.scenarios:
            if (sc.hash, rep) not in finished:
                seed = replication_seed(spec.seed, sc.hash, rep, spec.crn)
                jobs.append(Job(sc.name, sc.hash, rep, seed, spec.days, rep < spec.detail_reps))
    return jobs


def run_study(spec: StudySpec, store: ResultsStore, fn: ReplicateFn[Any], backend: Backend,
              progress: Callable[[int, int], None] | None = None) -> StudyRun:
    """Run the missing replications of ``spec`` and store each as it finishes.

    Ctrl-C (KeyboardInterrupt) stops the backend, keeps every finished replication and returns a
    run marked ``interrupted``; calling again resumes."""
    t0 = time.perf_counter()
    rec = spec.record()
    store.register_study(rec, {s.hash: (s.name, s.definition) for s in spec.scenarios})
    finished = {(h, r) for h, r in store.finished(spec.study_id) if r < spec.replications}
    jobs = plan_jobs(spec, finished)
    run = StudyRun(spec.study_id, total=spec.replications * len(spec.scenarios), skipped=len(finished))
    if progress:
        progress(run.skipped, run.total)
    stream = backend.run(fn, jobs, {s.hash: s.inputs for s in spec.scenarios})
    try:
        for job, out in stream:
            store.write_replication(rec, job.scenario_hash, job.rep, job.seed, out.wall_s, out.kpis, out.details)
            run.ran += 1
            if progress:
                progress(run.skipped + run.ran, run.total)
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        stream.close()  # type: ignore[attr-defined]
        # count from the store: a Ctrl-C right after a commit must not make the count lag behind it
        run.ran = sum(1 for _, r in store.finished(spec.study_id) if r < spec.replications) - run.skipped
        run.wall_s = time.perf_counter() - t0
    return run


def timed(fn: ReplicateFn[InputsT], job: Job, inputs: InputsT) -> ReplicationOutput:
    """Run ``fn`` and record its wall time (executed in the worker)."""
    t0 = time.perf_counter()
    out = fn(job, inputs)
    return ReplicationOutput(out.kpis, out.details, time.perf_counter() - t0)
