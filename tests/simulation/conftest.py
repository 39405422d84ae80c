"""Fixtures of the simulation tests: sim_tiny = the tiny dataset (whatever its current format) + a demand table."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.network import Network, read_dataset
from silkway.simulation import Demand, read_demand

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="session")
def tiny_net(sim_tiny_dir: Path) -> Network:
    return read_dataset(sim_tiny_dir)


@pytest.fixture(scope="session")
def tiny_demand(tiny_net: Network, sim_tiny_dir: Path) -> Demand:
    return read_demand(sim_tiny_dir / "demand.csv", tiny_net)
