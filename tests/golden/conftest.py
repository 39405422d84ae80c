"""``--update-golden`` (when pytest is given this folder: ``pytest tests/golden --update-golden``);
``SILKWAY_UPDATE_GOLDEN=1`` works from anywhere."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite examples/golden/*.json from the current code instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    try:
        flag = bool(request.config.getoption("--update-golden"))
    except ValueError:  # option not registered (conftest not loaded early enough)
        flag = False
    return flag or os.environ.get("SILKWAY_UPDATE_GOLDEN") == "1"
