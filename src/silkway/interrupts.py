"""Ctrl-C (SIGINT) policy, in one place: a command stops within a second, prints one line, exits 130, and leaves no
partial output.

- :func:`sigint_deferred` holds Ctrl-C while a set of output files is written, then raises it: all or none. In the
  worker thread of :func:`run_interruptibly`, it marks the writes instead: on Ctrl-C the main thread waits for the set
  being written to be complete, and a set not yet begun is refused (KeyboardInterrupt in the worker).
- :func:`run_interruptibly` runs a long computation (the simulation kernel, whose numba compile or a long native call
  would not see a signal for seconds to minutes) in a worker thread; the main thread only waits, so Ctrl-C is seen at
  once.
- :func:`exit_interrupted` ends the process at once after Ctrl-C (exit 130): no interpreter shutdown, which would wait
  for a running compile and run library finalisers while native threads may still be working.
- :func:`quiet_arrow_signals` stops pyarrow from installing its own SIGINT handler around reads: with it, Ctrl-C
  during a CSV read could deadlock the read (``AsyncThreadedTableReader::Read`` waits forever) or reach Python twice
  (a second KeyboardInterrupt while the first is handled: the process dies of SIGINT, exit -2).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
EXIT_INTERRUPTED = 130
WRITE_WAIT_S = 30.0  # how long Ctrl-C waits for a set of files a worker thread is writing (seconds)
_arrow_quiet: list[bool] = []
_announced: list[bool] = []
_deferring: list[bool] = []  # the main thread is inside sigint_deferred (nested blocks add nothing)
_writes = threading.Condition()
_writing: dict[int, int] = {}  # worker thread id -> sets of files it is writing now
_stopped: set[int] = set()  # worker threads whose caller was interrupted: they may start no new writes
_on_interrupt: list[Callable[[], None]] = []  # called by exit_interrupted (ended_on_interrupt)


def announce() -> str:
    """The one line a command prints on Ctrl-C (noted, so the process entry does not print it twice)."""
    _announced.append(True)
    return "interrupted"


def announced() -> bool:
    return bool(_announced)


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold SIGINT (Ctrl-C) until the block ends, then raise KeyboardInterrupt. In another thread: the block is marked
    as writing (an interrupted :func:`run_interruptibly` waits for it), or refused when that call was already
    interrupted."""
    if threading.current_thread() is not threading.main_thread():
        with _writing_block():
            yield
        return
    if _deferring or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield  # an outer block holds Ctrl-C until the whole set is written; or SIGINT is not Python's KeyboardInterrupt
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    _deferring.append(True)
    try:
        yield
    finally:
        _deferring.clear()
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    if received:
        raise KeyboardInterrupt


@contextmanager
def _writing_block() -> Iterator[None]:
    me = threading.get_ident()
    with _writes:
        if me in _stopped and not _writing.get(me):
            raise KeyboardInterrupt  # the command was interrupted: begin no other set of files (a set begun is completed)
        _writing[me] = _writing.get(me, 0) + 1
    try:
        yield
    finally:
        with _writes:
            _writing[me] -= 1
            if not _writing[me]:
                del _writing[me]
            _writes.notify_all()


def _stop(worker: threading.Thread) -> None:
    """After Ctrl-C: let ``worker`` finish the set of files it is writing (bounded), then refuse it any other."""
    with _writes:
        _stopped.add(worker.ident or 0)
        _writes.wait_for(lambda: not _writing.get(worker.ident or 0), timeout=WRITE_WAIT_S)


def run_interruptibly(fn: Callable[[], T]) -> T:
    """``fn()`` in a daemon thread while the main thread waits (interruptible); its result or exception. Outside the
    main thread, or when SIGINT is not Python's to handle, ``fn()`` runs in place."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return fn()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller as is
            box["error"] = exc
        finally:
            with _writes:  # thread ids are reused once a thread ends: a later thread must not inherit the refusal
                _stopped.discard(threading.get_ident())

    worker = threading.Thread(target=target, name="silkway-run", daemon=True)
    try:
        worker.start()
        worker.join()  # a signal interrupts the wait: KeyboardInterrupt here, at once
    except KeyboardInterrupt:
        _stop(worker)  # a set of files being written is completed first: all or none
        raise
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


@contextmanager
def ended_on_interrupt(stop: Callable[[], None]) -> Iterator[None]:
    """While the block runs, :func:`exit_interrupted` calls ``stop`` before it ends the process: e.g. terminating a
    pool's worker processes, which ignore SIGINT and would otherwise finish the tasks already in their pipe."""
    _on_interrupt.append(stop)
    try:
        yield
    finally:
        _on_interrupt.remove(stop)


def exit_interrupted() -> None:
    """End the process now with exit 130 (what was printed is flushed; nothing else runs but the stops registered by
    :func:`ended_on_interrupt`)."""
    for stop in list(_on_interrupt):
        try:
            stop()
        except Exception:  # ending anyway: a stop that fails must not keep the process alive
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(EXIT_INTERRUPTED)


def quiet_arrow_signals() -> None:
    """Keep Python's own SIGINT handler during pyarrow reads (once per process)."""
    if not _arrow_quiet:
        import pyarrow as pa

        pa.enable_signal_handlers(False)
        _arrow_quiet.append(True)
