"""Fixtures of the hardening tests."""

from __future__ import annotations

import signal

import pytest


@pytest.fixture(name="python_sigint")
def _python_sigint():
    """Python's own SIGINT handler for an in-process Ctrl-C test: a pytest started in the background by a shell
    (``nohup … &``) inherits SIGINT ignored, and then ``os.kill(os.getpid(), SIGINT)`` raises nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
