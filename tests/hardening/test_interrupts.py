"""All or none when Ctrl-C stops a command whose work runs in a worker thread (silkway.interrupts.run_interruptibly):
a set of files the worker is writing is completed before the command stops, and a set it has not begun is refused."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from silkway import interrupts
from silkway.atomic import atomic_write_text


@pytest.mark.usefixtures("python_sigint")
def test_ctrl_c_waits_for_the_set_being_written_and_refuses_the_next(tmp_path: Path) -> None:
    began_next = threading.Event()
    refused: list[BaseException] = []

    def work() -> None:
        with interrupts.sigint_deferred():  # a set of two files
            atomic_write_text(tmp_path / "a.txt", "a")
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C between the two
            time.sleep(0.5)
            atomic_write_text(tmp_path / "b.txt", "b")
        began_next.set()
        try:
            atomic_write_text(tmp_path / "c.txt", "c")  # a new write after Ctrl-C: refused
        except KeyboardInterrupt as exc:
            refused.append(exc)

    t = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        interrupts.run_interruptibly(work)
    assert (tmp_path / "a.txt").exists() and (tmp_path / "b.txt").exists()  # the set was completed first
    assert time.monotonic() - t < 5
    assert began_next.wait(5)
    time.sleep(0.2)
    assert refused and not (tmp_path / "c.txt").exists()
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.usefixtures("python_sigint")
def test_nested_blocks_hold_ctrl_c_until_the_outer_one_ends(tmp_path: Path) -> None:
    """An atomic write inside a set (both hold Ctrl-C) does not raise in the middle of the set."""
    with pytest.raises(KeyboardInterrupt):
        with interrupts.sigint_deferred():
            atomic_write_text(tmp_path / "a.txt", "a")
            os.kill(os.getpid(), signal.SIGINT)
            atomic_write_text(tmp_path / "b.txt", "b")
            atomic_write_text(tmp_path / "c.txt", "c")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]


@pytest.mark.usefixtures("python_sigint")
def test_an_ended_worker_leaves_no_refusal_for_a_later_thread(tmp_path: Path) -> None:
    """After an interrupted run, the worker's thread id is refused new writes only while that worker lives: ids are
    reused once a thread ends, and a later thread with the same id (a web job, say) must write normally. (The stale
    id hung the web invest test in the full suite: its job thread died on a KeyboardInterrupt at its first write.)"""
    release = threading.Event()
    ident: list[int] = []

    def work() -> None:
        ident.append(threading.get_ident())
        os.kill(os.getpid(), signal.SIGINT)
        release.wait(5)

    with pytest.raises(KeyboardInterrupt):
        interrupts.run_interruptibly(work)
    assert ident[0] in interrupts._stopped  # while the worker lives it may begin no new set of files
    release.set()
    deadline = time.monotonic() + 5
    while ident[0] in interrupts._stopped and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ident[0] not in interrupts._stopped
    # a new thread (whatever its id) writes
    errors: list[BaseException] = []

    def write() -> None:
        try:
            atomic_write_text(tmp_path / "later.txt", "ok")
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=write)
    t.start()
    t.join(5)
    assert not errors and (tmp_path / "later.txt").read_text() == "ok"
