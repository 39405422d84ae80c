"""A study as a background job: prepare the scenarios, run the replications into the results store.

The store takes each replication in one transaction, so a job that is cancelled or fails leaves only
whole replications behind; submitting the same study again resumes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkway.services import studies as studies_svc
from silkway.services.study_views import store_path
from silkway.vocabulary import BackendKind
from silkway.web.jobs import JobContext

if TYPE_CHECKING:
    from silkway.scenarios.study import ReplicateFn, StudySpec

MakeSpec = Callable[..., "StudySpec"]


@dataclass(frozen=True)
class StudyRunner:
    """How the app runs studies: the study service with local worker processes.

    ``make_spec`` and ``replicate`` are the service's unless given (the tests swap the replication
    for a small deterministic double to test the job machinery without the simulation engine).
    """

    make_spec: MakeSpec = studies_svc.make_spec
    replicate: ReplicateFn[Any] | None = None
    workers: int = 2

    def __call__(self, ctx: JobContext, paths: list[Path], replications: int, seed: int, days: int,
                 label: str | None, results_dir: Path) -> dict[str, Any]:
        ctx.progress(0, 0, "preparing scenarios")
        spec = self.make_spec(paths, replications, seed=seed, days=days, label=label)
        ctx.progress(0, replications * len(spec.scenarios), f"running {replications * len(spec.scenarios)} replications")

        def progress(done: int, total: int) -> None:
            ctx.progress(done, total, f"{done}/{total} replications")

        backend = studies_svc.backend_for(BackendKind.LOCAL, self.workers)
        run = studies_svc.run(spec, store_path(results_dir), backend=backend, progress=progress, replicate=self.replicate)
        return {"study_id": run.study_id, "ran": run.ran, "skipped": run.skipped, "total": run.total,
                "wall_s": round(run.wall_s, 3)}
