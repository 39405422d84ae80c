"""Defaults shared by the core and the interfaces, in a module that imports nothing heavy."""

from __future__ import annotations

from pathlib import Path

DEFAULT_STORE = Path("silkway-results") / "silkway.duckdb"  # the study results store, relative to the working directory
