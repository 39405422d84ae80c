"""Fixtures of the investment planner: the tiny chain (tests/fixtures/tiny + sim_tiny demand) with three candidate
projects of which exactly one (a third weekly ferry) removes the only bottleneck."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def invest_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("invest") / "invest_tiny"
    shutil.copytree(FIXTURES / "tiny", target)
    shutil.copy(FIXTURES / "sim_tiny" / "demand.csv", target / "demand.csv")
    for f in (FIXTURES / "invest_tiny").iterdir():
        shutil.copy(f, target / f.name)
    return target
