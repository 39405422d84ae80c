"""Fixtures of the capacity tests: the tiny dataset read once, and helpers to edit it in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.network import Network, read_dataset

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="session")
def tiny() -> Network:
    """west —l1 (double, 20/d)— gate_cn [border 12/d, yard 10/d + 1000 TEU/d] —l2 (single, 10/d each way)— gate_kz
    [border 12/d] —l3 (single, 12/d)— harbour [port 500 TEU/d] —l4 ferry (1/week × 100 TEU)— isle [port 500 TEU/d]."""
    return read_dataset(FIXTURES / "tiny")
