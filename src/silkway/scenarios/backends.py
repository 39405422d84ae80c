"""Where replications run: local worker processes or a Dask distributed cluster.

Both yield (job, output) as replications finish and stop cleanly when the consumer closes them
(after Ctrl-C): pending work is cancelled, nothing is written by workers (only the parent writes).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from silkway.errors import SilkwayError
from silkway.scenarios.study import Job, ReplicateFn, ReplicationOutput, timed

# Worker-process state: the scenario inputs, sent once per worker by the pool initializer instead
# of once per replication. It lives only in worker processes started by LocalBackend.
_WORKER_INPUTS: dict[str, Any] = {}


SPAWN_PITFALL = ("a study started while a worker process was importing the main script: a script that runs a study must put "
                 "its top-level code under `if __name__ == \"__main__\":` (worker processes are spawned and re-import the script), "
                 "or use LocalBackend(1)")


def refuse_in_spawn_bootstrap() -> None:
    """Fail fast, in a worker that is still importing the parent's main script, instead of starting a study there
    (the classic spawn pitfall: a script without the ``__main__`` guard). The worker prints one line and exits; the
    parent then reports :data:`SPAWN_PITFALL` (:meth:`LocalBackend.run`)."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        sys.stderr.write(f"silkway: {SPAWN_PITFALL}\n")
        raise SystemExit(1)


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this worker when its parent dies (even by SIGKILL): no orphan keeps computing."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks stop idle workers
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


@contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while it starts worker processes: they inherit the blocked signal, so a Ctrl-C sent
    to the process group while they are still importing (before :func:`_init_worker`) does not print their tracebacks;
    the parent handles Ctrl-C (the signal reaches it when this block ends) and its workers die with it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    """multiprocessing's resource tracker (a helper process started with the pool, with this interpreter's -W options)
    warns about "leaked semaphore objects" when the parent ends without closing its pool: after Ctrl-C the parent ends
    at once (:func:`silkway.interrupts.exit_interrupted`), and the tracker still removes them; only its warning is
    left out, so Ctrl-C prints one line."""
    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)


def _init_worker(inputs: dict[str, Any], parent_pid: int | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent, which cancels cleanly
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    _WORKER_INPUTS.clear()
    _WORKER_INPUTS.update(inputs)


def _run_in_worker(fn: ReplicateFn[Any], job: Job) -> ReplicationOutput:
    return timed(fn, job, _WORKER_INPUTS[job.scenario_hash])


@dataclass(frozen=True)
class LocalBackend:
    """``workers`` processes (spawned, so the parent's threads and DuckDB handle are not forked).
    With one worker the replications run in the calling process (no pickling, no start-up)."""

    workers: int = 2

    def run(self, fn: ReplicateFn[Any], jobs: list[Job], inputs: dict[str, Any]) -> Iterator[tuple[Job, ReplicationOutput]]:
        if not jobs:
            return
        if self.workers <= 1:
            for job in jobs:
                yield job, timed(fn, job, inputs[job.scenario_hash])
            return
        refuse_in_spawn_bootstrap()
        _quiet_resource_tracker()
        ctx = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker, initargs=(inputs, os.getpid()))
        pending: dict[Future[ReplicationOutput], Job] = {}
        try:
            todo = iter(jobs)
            with _ctrl_c_blocked():  # the workers start here
                for job in _take(todo, 4 * self.workers):  # a bounded window keeps cancelling cheap
                    pending[pool.submit(_run_in_worker, fn, job)] = job
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    try:
                        out = fut.result()
                    except BrokenProcessPool:
                        raise SilkwayError(f"a worker process died before finishing its replication (killed, out of memory, "
                                           f"or the spawn pitfall: {SPAWN_PITFALL})") from None
                    with _ctrl_c_blocked():  # a worker that died is replaced here
                        for nxt in _take(todo, 1):
                            pending[pool.submit(_run_in_worker, fn, nxt)] = nxt
                    yield job, out
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class DaskBackend:
    """Replications as tasks on a Dask distributed scheduler at ``address`` (``tcp://host:port``).

    Scenario inputs are scattered once to every worker. If a worker dies, the scheduler reruns its
    tasks elsewhere; a replication is stored only when its result reaches the parent."""

    address: str
    timeout_s: float = 30.0

    def run(self, fn: ReplicateFn[Any], jobs: list[Job], inputs: dict[str, Any]) -> Iterator[tuple[Job, ReplicationOutput]]:
        if not jobs:
            return
        from distributed import Client, as_completed

        try:
            client = Client(self.address, timeout=self.timeout_s)
        except (OSError, TimeoutError) as exc:
            raise SilkwayError(f"cannot connect to the Dask scheduler at {self.address}: {exc}") from None
        futures = []
        try:
            # a list, so a dict input is scattered as one object (a dict would be scattered value by value)
            shared = {h: client.scatter([v], broadcast=True, hash=False)[0] for h, v in inputs.items()}
            token = uuid.uuid4().hex[:8]
            by_key: dict[str, Job] = {}
            for job in jobs:
                key = f"silkway-rep-{job.scenario_hash}-{job.rep}-{token}"
                by_key[key] = job
                futures.append(client.submit(timed, fn, job, shared[job.scenario_hash], key=key, pure=False, retries=2))
            for fut in as_completed(futures):
                yield by_key[fut.key], fut.result()
        finally:
            if futures:
                client.cancel(futures)
            client.close()


def _take(it: Iterator[Job], n: int) -> list[Job]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out
