"""The local Dask cluster `silkway invest` starts: loopback only, no dashboard, and no warning when another program
(another invest run, a Jupyter dashboard) holds distributed's default HTTP port 8787. Before, a second run printed
distributed's "Port 8787 is already in use … Hosting the HTTP server on port N instead" on stderr."""

from __future__ import annotations

import socket
import warnings

import pytest

from silkway.scenarios.backends import DaskBackend
from silkway.services.invest import InvestRequest, backend_for
from silkway.vocabulary import BackendKind

pytestmark = pytest.mark.timeout(300)


def test_a_second_cluster_starts_quietly_on_loopback() -> None:
    held = socket.socket()
    try:
        try:
            held.bind(("127.0.0.1", 8787))
        except OSError:
            pass  # already held by something else: the case under test all the same
        held.listen()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any warning (the port one included) fails the test
            with backend_for(InvestRequest("unused.yaml", 1.0, workers=2, backend=BackendKind.DASK)) as backend:
                assert isinstance(backend, DaskBackend)
                address = backend.address
                assert address.startswith("tcp://127.0.0.1:")
    finally:
        held.close()
