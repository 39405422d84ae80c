"""The typer app object and the shared consoles."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from typer.core import TyperGroup

from silkway.errors import DataError, SilkwayError


class SilkwayGroup(TyperGroup):
    """The command group: a :class:`SilkwayError` from any command (bad input) is printed as one clear error and
    exits 1, Ctrl-C exits 130 with one line; in-process runners (tests) see exactly what a user sees."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DataError as exc:
            console_err.print(Text.assemble(("error:", "bold red"), f" {exc.source}: {len(exc.problems)} problem(s) found"))
            for p in exc.problems:
                console_err.print(f"  - {p}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except SilkwayError as exc:
            console_err.print(Text.assemble(("error:", "bold red"), f" {exc}"), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            console_err.print("interrupted", highlight=False)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=SilkwayGroup,
    name="silkway",
    help="Digital twin of the China–Europe land freight corridors through Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# User text (place names, file names, scenario names) is printed literally: no markup, no emoji codes. silkway's
# own styled words pass ``markup=True`` on their call, with any user value inside escaped by ``lit``.
console = Console(markup=False, emoji=False)
console_err = Console(stderr=True, markup=False, emoji=False)
lit = escape

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
