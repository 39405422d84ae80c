"""The typer app object and the shared consoles."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import typer
from rich.console import Console

app = typer.Typer(
    name="silkway",
    help="Digital twin of the China–Europe land freight corridors through Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
console_err = Console(stderr=True)

DATASET_HELP = "Dataset folder (default: the embedded 'eurasia' dataset)."
AS_OF_HELP = "The network as of this date, YYYY-MM-DD (default: the dataset's reference date)."


class LazyModule:
    """A module imported on first attribute access: ``silkway --help`` and the light commands do not pay for
    pandas, numba, matplotlib and DuckDB, which only the simulation and study commands use."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)
