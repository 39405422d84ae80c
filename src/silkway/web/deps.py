"""What the API routers share: the app's settings and job queue (from the request) and a job's JSON status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request
from pydantic import BaseModel

from silkway.web.jobs import DuplicateJob, Job, JobContext, JobManager, TooManyJobs
from silkway.web.settings import WebSettings


class JobStatus(BaseModel):
    job_id: str
    kind: str
    state: str
    done: int
    total: int
    fraction: float
    message: str
    params: dict[str, Any]
    result: dict[str, Any] | None = None
    error: str | None = None


def app_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def app_jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


def status_of(job: Job) -> JobStatus:
    return JobStatus(job_id=job.job_id, kind=job.kind, state=job.state.value, done=job.done, total=job.total,
                     fraction=round(job.fraction, 4), message=job.message, params=job.params,
                     result=job.result, error=job.error)


def submit_job(request: Request, kind: str, params: dict[str, Any], fn: Callable[[JobContext], Any], key: str) -> JobStatus:
    """Queue ``fn`` as a job of the app: 429 when the queue is full, 409 when a job with the same key is queued or
    running."""
    try:
        job = app_jobs(request).submit(kind, params, fn, key=key)
    except TooManyJobs as exc:
        raise HTTPException(429, str(exc)) from None
    except DuplicateJob as exc:
        raise HTTPException(409, str(exc)) from None
    return status_of(job)
