"""Scenarios (catalogue, validation), studies as background jobs, and stored study results."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from silkway import limits
from silkway.errors import SilkwayError, StoreError
from silkway.services import studies as studies_svc
from silkway.services import study_views as results
from silkway.web import catalogue
from silkway.web.deps import JobStatus, app_jobs, app_settings, status_of, submit_job
from silkway.web.jobs import Job
from silkway.web.settings import NAME_PATTERN

router = APIRouter(prefix="/api", tags=["studies"])
ScenarioName = Annotated[str, Field(pattern=NAME_PATTERN)]
JobId = Annotated[str, Path(pattern=r"^job\d{1,9}-[0-9a-f]{8}$")]
StudyId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]


class ScenarioInfo(BaseModel):
    name: str
    title: str
    description: str
    extends: str | None = None


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    text: str = Field(min_length=1, max_length=100_000, description="scenario YAML (no extends/dataset/demand.file)")
    dataset: Annotated[str, Field(pattern=NAME_PATTERN)] | None = Field(None, description="default: the app's first dataset")


class ValidateResult(BaseModel):
    valid: bool
    name: str | None = None
    hash: str | None = None
    changed_links: int | None = None
    changed_facilities: int | None = None
    new_facilities: int | None = None
    options: dict[str, Any] | None = None
    problems: list[str] = []


class StudyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenarios: list[ScenarioName] = Field(min_length=1, description="catalogue names; the first is the baseline")
    days: int = Field(60, ge=1, le=int(limits.DAYS.hi))
    replications: int = Field(3, ge=1, le=1000)
    seed: int = Field(0, ge=0, le=int(limits.SEED.hi))
    label: str | None = Field(None, max_length=100)


@router.get("/scenarios", response_model=list[ScenarioInfo], summary="Scenario files offered by this app (bases first)")
def list_scenarios(request: Request) -> list[ScenarioInfo]:
    infos = [ScenarioInfo(**catalogue.describe(p)) for p in request.app.state.scenarios.values()]
    return sorted(infos, key=lambda s: (s.extends is not None, s.name))


@router.post("/scenarios/validate", response_model=ValidateResult, summary="Validate scenario YAML against a dataset")
def validate_scenario(request: Request, body: ValidateRequest) -> ValidateResult:
    name = body.dataset or app_settings(request).default_dataset
    request.app.state.datasets.get(name)  # 404 / 503 for a dataset not served or broken
    folder = app_settings(request).datasets[name]
    try:
        catalogue.refuse_paths(body.text)
        with tempfile.TemporaryDirectory(prefix="silkway-validate-") as tmp:
            path = FsPath(tmp) / "scenario.yaml"
            head = f"dataset: {json.dumps(str(folder.resolve()))}\n" if folder is not None else ""  # quoted: any path
            path.write_text(head + body.text, encoding="utf-8")
            try:
                c = studies_svc.check(path)
            except SilkwayError as exc:
                raise SilkwayError(str(exc).replace(str(path), "<scenario>").replace(str(folder), name)) from None
    except SilkwayError as exc:
        return ValidateResult(valid=False, problems=[ln.strip().removeprefix("- ") for ln in str(exc).splitlines() if ln.strip()])
    return ValidateResult(valid=True, name=c.name, hash=c.hash, changed_links=c.changed_links, changed_facilities=c.changed_facilities,
                          new_facilities=c.new_facilities, options={k: _jsonable(v) for k, v in c.options.items()})


def _jsonable(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


@router.post("/jobs", response_model=JobStatus, status_code=202, summary="Submit a study as a background job")
def submit_study(request: Request, body: StudyRequest) -> JobStatus:
    s = app_settings(request)
    problems = []
    if body.days > s.max_days:
        problems.append(f"days: at most {s.max_days} on this server (got {body.days})")
    if body.replications > s.max_replications:
        problems.append(f"replications: at most {s.max_replications} on this server (got {body.replications})")
    if len(body.scenarios) > s.max_scenarios:
        problems.append(f"scenarios: at most {s.max_scenarios} per study (got {len(body.scenarios)})")
    if len(set(body.scenarios)) != len(body.scenarios):
        problems.append("scenarios: each scenario at most once")
    known = request.app.state.scenarios
    unknown = [n for n in body.scenarios if n not in known]
    if unknown:
        problems.append(f"scenarios: unknown {', '.join(unknown)} (GET /api/scenarios lists them: {', '.join(known) or 'none'})")
    if problems:
        raise HTTPException(422, "; ".join(problems))
    paths = [known[n] for n in body.scenarios]
    runner = request.app.state.study_runner
    params = body.model_dump()
    key = json.dumps([body.scenarios, body.days, body.seed])  # what identifies a study in the store
    return submit_job(request, "study", params,
                      lambda ctx: runner(ctx, paths, body.replications, body.seed, body.days, body.label, s.results_dir), key)


@router.get("/jobs", response_model=list[JobStatus], summary="Jobs of this server, newest first")
def list_jobs(request: Request) -> list[JobStatus]:
    return [status_of(j) for j in app_jobs(request).list()]


def _job(request: Request, job_id: str) -> Job:
    job = app_jobs(request).get(job_id)
    if job is None:
        raise HTTPException(404, f"no job '{job_id}' (jobs are kept in memory until the server stops)")
    return job


@router.get("/jobs/{job_id}", response_model=JobStatus, summary="Status and progress of a job")
def job_status(request: Request, job_id: JobId) -> JobStatus:
    return status_of(_job(request, job_id))


@router.delete("/jobs/{job_id}", response_model=JobStatus, summary="Cancel a job (it stops after its current replication)")
def cancel_job(request: Request, job_id: JobId) -> JobStatus:
    _job(request, job_id)
    job = app_jobs(request).cancel(job_id)
    assert job is not None
    return status_of(job)


@router.get("/jobs/{job_id}/results", summary="Results of a finished study job")
def job_results(request: Request, job_id: JobId) -> dict[str, Any]:
    job = _job(request, job_id)
    if job.kind != "study":
        raise HTTPException(409, f"job '{job_id}' is a {job.kind}: its result is in GET /api/jobs/{job_id}")
    if job.state.value != "done":
        raise HTTPException(409, f"job '{job_id}' is {job.state.value}: results exist only for a finished job")
    return stored_study(request, job.result["study_id"])


@router.get("/studies", summary="Studies in the results store, newest first")
def list_stored(request: Request) -> list[dict[str, Any]]:
    try:
        return results.list_studies(app_settings(request).results_dir)
    except StoreError as exc:  # e.g. `silkway study` in another process holds the store
        raise HTTPException(503, f"the results store cannot be read now: {exc}") from None


@router.get("/studies/{study_id}", summary="A stored study: KPIs vs baseline with 95% CI, queue, transit and flow series")
def stored_study(request: Request, study_id: StudyId) -> dict[str, Any]:
    try:
        out = results.study_results(app_settings(request).results_dir, study_id)
    except StoreError as exc:
        raise HTTPException(503, f"the results store cannot be read now: {exc}") from None
    if out is None:
        raise HTTPException(404, f"no study '{study_id}' in the results store")
    return out
