"""The job manager: limits, progress, cancellation, failures."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from silkway.errors import ScenarioError
from silkway.web.jobs import JobContext, JobManager, JobState, TooManyJobs


def wait_until(cond, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def manager():
    m = JobManager(max_running=1, max_queued=1)
    yield m
    m.shutdown()


def test_job_runs_and_reports_progress(manager: JobManager) -> None:
    seen: list[float] = []

    def fn(ctx: JobContext) -> int:
        for i in range(4):
            ctx.progress(i, 4, f"step {i}")
            seen.append(i)
        ctx.progress(4, 4)
        return 42

    job = manager.submit("test", {}, fn)
    wait_until(lambda: job.state.finished)
    assert job.state is JobState.done and job.result == 42 and job.fraction == 1.0 and seen == [0, 1, 2, 3]


def test_cancel_stops_a_running_job_at_its_next_report(manager: JobManager) -> None:
    started, release = threading.Event(), threading.Event()

    def fn(ctx: JobContext) -> str:
        started.set()
        release.wait(5)
        ctx.progress(1, 2)
        return "should not be returned"

    job = manager.submit("test", {}, fn)
    started.wait(5)
    manager.cancel(job.job_id)
    release.set()
    wait_until(lambda: job.state.finished)
    assert job.state is JobState.cancelled and job.result is None


def test_queue_limit_and_cancel_before_start(manager: JobManager) -> None:
    release = threading.Event()
    first = manager.submit("test", {}, lambda _ctx: release.wait(5))
    second = manager.submit("test", {}, lambda _ctx: "ran")
    with pytest.raises(TooManyJobs):
        manager.submit("test", {}, lambda _ctx: None)
    manager.cancel(second.job_id)
    release.set()
    wait_until(lambda: first.state.finished and second.state.finished)
    assert first.state is JobState.done and second.state is JobState.cancelled and second.result is None
    third = manager.submit("test", {}, lambda _ctx: "ok")  # room again
    wait_until(lambda: third.state.finished)
    assert third.result == "ok"


def test_failures_are_reported_not_raised(manager: JobManager) -> None:
    def bad_input(_ctx: JobContext) -> None:
        raise ScenarioError("scenario 'x': unknown facility 'y'")

    def bug(_ctx: JobContext) -> None:
        raise ZeroDivisionError("oops")

    a = manager.submit("test", {}, bad_input)
    wait_until(lambda: a.state.finished)
    b = manager.submit("test", {}, bug)
    wait_until(lambda: b.state.finished)
    assert a.state is JobState.failed and a.error == "scenario 'x': unknown facility 'y'"
    assert b.state is JobState.failed and "ZeroDivisionError" in b.error


def test_an_unexpected_error_is_logged_with_its_traceback(manager: JobManager, caplog: pytest.LogCaptureFixture) -> None:
    """A bug in a job reaches the client as one line and the server log with its traceback; bad input is not an error."""
    def bug(_ctx: JobContext) -> None:
        raise ZeroDivisionError("oops")

    def bad_input(_ctx: JobContext) -> None:
        raise ScenarioError("unknown facility 'y'")

    with caplog.at_level(logging.INFO, logger="silkway.web.jobs"):
        a = manager.submit("test", {}, bug)
        wait_until(lambda: a.state.finished)
        b = manager.submit("test", {}, bad_input)
        wait_until(lambda: b.state.finished)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and a.job_id in errors[0].getMessage()
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is ZeroDivisionError
    assert "raise ZeroDivisionError" in caplog.text  # the traceback, with the failing line
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 1 and b.job_id in infos[0].getMessage() and infos[0].exc_info is None


def test_unknown_job_is_none(manager: JobManager) -> None:
    assert manager.get("nope") is None and manager.cancel("nope") is None


def test_shutdown_does_not_wait_for_a_stuck_job() -> None:
    m = JobManager(max_running=1, max_queued=1)
    release = threading.Event()
    job = m.submit("test", {}, lambda _ctx: release.wait(30))
    wait_until(lambda: job.state is JobState.running)
    t0 = time.monotonic()
    m.shutdown(wait_s=0.2)
    assert time.monotonic() - t0 < 2
    release.set()


def test_jobs_with_the_same_key_never_overlap(manager: JobManager) -> None:
    from silkway.web.jobs import DuplicateJob

    release = threading.Event()
    a = manager.submit("study", {}, lambda _ctx: release.wait(5), key="k")
    with pytest.raises(DuplicateJob, match=a.job_id):
        manager.submit("study", {}, lambda _ctx: None, key="k")
    release.set()
    wait_until(lambda: a.state.finished)
    b = manager.submit("study", {}, lambda _ctx: "again", key="k")  # allowed once the first has finished
    wait_until(lambda: b.state.finished)
    assert b.result == "again"


def test_a_keyboard_interrupt_in_a_job_fails_it_and_the_worker_lives_on(manager: JobManager) -> None:
    """A BaseException raised in a job thread (a KeyboardInterrupt cannot come from a real Ctrl-C there, which goes to
    the main thread, but code may raise it) marks the job failed; before, it ended the worker thread, the job stayed
    'running' for ever and no later job ran."""

    def bad(_ctx: JobContext) -> None:
        raise KeyboardInterrupt

    job = manager.submit("test", {}, bad)
    wait_until(lambda: job.state.finished)
    assert job.state is JobState.failed and "KeyboardInterrupt" in (job.error or "")
    nxt = manager.submit("test", {}, lambda _ctx: 7)
    wait_until(lambda: nxt.state.finished)
    assert nxt.state is JobState.done and nxt.result == 7
