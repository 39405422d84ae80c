"""Ctrl-C (SIGINT) policy, in one place: a command stops within a second, prints one line, exits 130, and leaves no
partial output.

- :func:`sigint_deferred` holds Ctrl-C while a set of output files is written, then raises it: all or none.
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
_arrow_quiet: list[bool] = []
_announced: list[bool] = []


def announce() -> str:
    """The one line a command prints on Ctrl-C (noted, so the process entry does not print it twice)."""
    _announced.append(True)
    return "interrupted"


def announced() -> bool:
    return bool(_announced)


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold SIGINT (Ctrl-C) until the block ends, then raise KeyboardInterrupt (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    if received:
        raise KeyboardInterrupt


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

    worker = threading.Thread(target=target, name="silkway-run", daemon=True)
    worker.start()
    worker.join()  # a signal interrupts the wait: KeyboardInterrupt here, at once
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def exit_interrupted() -> None:
    """End the process now with exit 130 (what was printed is flushed; nothing else runs)."""
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
