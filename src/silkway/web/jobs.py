"""Background jobs (studies): a bounded queue, worker threads, progress, cooperative cancellation.

A job is a function ``fn(ctx) -> result`` run on a worker thread. It reports progress with
``ctx.progress(done, total, message)``, which raises :class:`JobCancelled` once the job is cancelled,
so a cancelled job stops at its next progress report; a job that returns is done (its result
stands even if a cancel arrived after its last report). Jobs live in memory, per app.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from silkway.errors import SilkwayError

logger = logging.getLogger(__name__)
FINISHED_KEPT = 100
SHUTDOWN_WAIT_S = 10.0


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.done, JobState.failed, JobState.cancelled)


class JobCancelled(Exception):
    """Raised inside a job by ``ctx.progress`` after the job was cancelled."""


class TooManyJobs(Exception):
    """The queue is full: the client should retry later (HTTP 429)."""


class DuplicateJob(Exception):
    """A job with the same key is queued or running (HTTP 409)."""


@dataclass
class Job:
    job_id: str
    kind: str
    params: dict[str, Any]
    key: str | None = None  # jobs with the same key never run at the same time
    state: JobState = JobState.queued
    done: int = 0
    total: int = 0
    message: str = "queued"
    result: Any = None
    error: str | None = None
    created_s: float = field(default_factory=time.time)
    finished_s: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else (1.0 if self.state is JobState.done else 0.0)


class JobContext:
    """What a running job sees: a progress reporter that also delivers cancellation."""

    def __init__(self, job: Job):
        self._job = job

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_event.is_set()

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self.cancelled:
            raise JobCancelled()
        self._job.done, self._job.total = done, total
        if message:
            self._job.message = message


class JobManager:
    """Runs at most ``max_running`` jobs at once and holds at most ``max_queued`` waiting ones."""

    def __init__(self, max_running: int, max_queued: int):
        self.max_running, self.max_queued = max_running, max_queued
        self._queue: queue.Queue[tuple[Job, Callable[[JobContext], Any]] | None] = queue.Queue()
        # daemon threads: a server that stops does not wait for a long replication to finish (the store
        # keeps whole replications only, so a study killed mid-replication resumes cleanly)
        self._threads = [threading.Thread(target=self._worker, name=f"silkway-job-{i}", daemon=True) for i in range(max_running)]
        for t in self._threads:
            t.start()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, kind: str, params: dict[str, Any], fn: Callable[[JobContext], Any], key: str | None = None) -> Job:
        with self._lock:
            active = [j for j in self._jobs.values() if not j.state.finished]
            same = next((j for j in active if key is not None and j.key == key), None)
            if same is not None:
                raise DuplicateJob(f"the same {kind} is already {same.state.value} as job {same.job_id}")
            if len(active) >= self.max_running + self.max_queued:
                raise TooManyJobs(f"{len(active)} jobs are queued or running (limit {self.max_running + self.max_queued}); retry later")
            job = Job(job_id=f"job{next(self._ids)}-{uuid.uuid4().hex[:8]}", kind=kind, params=params, key=key)
            self._jobs[job.job_id] = job
            self._forget_old()
        self._queue.put((job, fn))
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            jobs = list(self._jobs.values())
        return sorted(jobs, key=lambda j: j.created_s, reverse=True)

    def cancel(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        if job is not None and not job.state.finished:
            job.cancel_event.set()
            if job.state is JobState.queued:
                job.message = "cancelling"
        return job

    def shutdown(self, wait_s: float = SHUTDOWN_WAIT_S) -> None:
        """Cancel every job, stop the workers; wait at most ``wait_s`` for running jobs to stop."""
        for job in self.list():
            job.cancel_event.set()
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + wait_s
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))

    def _worker(self) -> None:
        while (item := self._queue.get()) is not None:
            self._run(*item)

    def _run(self, job: Job, fn: Callable[[JobContext], Any]) -> None:
        if job.cancel_event.is_set():
            return self._finish(job, JobState.cancelled, "cancelled before it started")
        job.state, job.message = JobState.running, "running"
        try:
            job.result = fn(JobContext(job))
        except JobCancelled:
            return self._finish(job, JobState.cancelled, "cancelled")
        except SilkwayError as exc:  # bad input: the user reads the message; no traceback is needed
            logger.info("job %s (%s) failed: %s", job.job_id, job.kind, exc)
            job.error = str(exc)
            return self._finish(job, JobState.failed, "failed")
        except BaseException as exc:  # a bug (or a KeyboardInterrupt raised in this thread): the client gets one line,
            # the server log keeps the traceback, and this worker thread lives on to run the next job
            logger.exception("job %s (%s) failed with an unexpected error", job.job_id, job.kind)
            job.error = f"internal error: {type(exc).__name__}: {exc}"
            return self._finish(job, JobState.failed, "failed")
        self._finish(job, JobState.done, "done")

    def _finish(self, job: Job, state: JobState, message: str) -> None:
        job.state, job.message, job.finished_s = state, message, time.time()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state.finished]
        for j in sorted(finished, key=lambda j: j.created_s)[: max(0, len(finished) - FINISHED_KEPT)]:
            del self._jobs[j.job_id]
