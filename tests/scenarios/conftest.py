"""Fixtures of the scenario/study tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.scenarios.store import ResultsStore


@pytest.fixture
def store(tmp_path: Path):
    with ResultsStore(tmp_path / "r.duckdb") as s:
        yield s
