"""Fixtures of the simulation tests: sim_tiny = the tiny dataset (whatever its current format) + a demand table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from silkway.network import Network, read_dataset
from silkway.simulation import Demand, read_demand

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="session")
def sim_tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``tests/fixtures/tiny`` with ``tests/fixtures/sim_tiny/demand.csv`` added."""
    target = tmp_path_factory.mktemp("sim") / "sim_tiny"
    shutil.copytree(FIXTURES / "tiny", target)
    shutil.copy(FIXTURES / "sim_tiny" / "demand.csv", target / "demand.csv")
    return target


@pytest.fixture(scope="session")
def tiny_net(sim_tiny_dir: Path) -> Network:
    return read_dataset(sim_tiny_dir)


@pytest.fixture(scope="session")
def tiny_demand(tiny_net: Network, sim_tiny_dir: Path) -> Demand:
    return read_demand(sim_tiny_dir / "demand.csv", tiny_net)
