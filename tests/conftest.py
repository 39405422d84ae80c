"""Shared, generic fixtures: the tiny dataset and a factory copying any dataset folder into tmp_path."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _dataset_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """The compiled dataset cache of the tests lives in a session temp folder, never in the user's cache (subprocesses
    inherit it through the environment)."""
    from silkway.network.cache import ENV_DIR

    old = os.environ.get(ENV_DIR)
    os.environ[ENV_DIR] = str(tmp_path_factory.mktemp("silkway-cache"))
    yield
    if old is None:
        os.environ.pop(ENV_DIR, None)
    else:
        os.environ[ENV_DIR] = old


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    """The hand-computable tiny dataset (read-only: copy it with ``dataset_copy`` to change it)."""
    return FIXTURES / "tiny"


@pytest.fixture
def dataset_copy(tmp_path: Path, tiny_dir: Path) -> Callable[..., Path]:
    """Factory: ``dataset_copy()`` copies tiny (or ``dataset_copy(folder)`` any folder) into tmp_path."""
    counter = iter(range(10_000))

    def copy(source: Path | None = None) -> Path:
        target = tmp_path / f"dataset{next(counter)}"
        shutil.copytree(source or tiny_dir, target)
        return target

    return copy


@pytest.fixture(scope="session")
def sim_tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``tests/fixtures/tiny`` with ``tests/fixtures/sim_tiny/demand.csv`` added (simulation and capacity tests)."""
    target = tmp_path_factory.mktemp("sim") / "sim_tiny"
    shutil.copytree(FIXTURES / "tiny", target)
    shutil.copy(FIXTURES / "sim_tiny" / "demand.csv", target / "demand.csv")
    return target
