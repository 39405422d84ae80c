"""Fixtures of the simulation tests: the sim_tiny dataset (tiny + a demand table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.network import Network, read_dataset
from silkway.simulation import Demand, read_demand

SIM_TINY = Path(__file__).parents[1] / "fixtures" / "sim_tiny"


@pytest.fixture(scope="session")
def sim_tiny_dir() -> Path:
    return SIM_TINY


@pytest.fixture(scope="session")
def tiny_net() -> Network:
    return read_dataset(SIM_TINY)


@pytest.fixture(scope="session")
def tiny_demand(tiny_net: Network) -> Demand:
    return read_demand(SIM_TINY / "demand.csv", tiny_net)
