"""Defaults shared by the core and the interfaces, in a module that imports nothing heavy."""

from __future__ import annotations

from pathlib import Path

DEFAULT_STORE = Path("silkway-results") / "silkway.duckdb"  # the study results store, relative to the working directory


def examples_dir() -> Path:
    """The example scenarios shipped with the package (``silkway/data/examples``, the repository's ``examples/``): the
    default of ``silkway demo --examples`` and ``silkway serve --scenarios``, found from any working directory."""
    return Path(__file__).resolve().parent / "data" / "examples"

# typical conditions of the route planner (silkway.services.conditions)
TYPICAL_FILE = "typical_waits.csv"
BUILD_COMMAND = "silkway conditions build"
DEFAULT_AS_OF = ("2023-06-30",)  # the calibrated baseline (tests/simulation/test_calibration.py)
