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


@pytest.fixture(scope="session")
def tiny_inputs(invest_dir: Path):
    """(applied scenario, catalogue) of the fixture: trade x 3 on the tiny chain."""
    from silkway.services.invest import read_catalogue
    from silkway.services.studies import load, prepare

    loaded = load(invest_dir / "scenario.yaml")
    applied = prepare(loaded).inputs.applied
    return applied, read_catalogue(invest_dir, applied.network)
