"""The typer app object and the shared consoles."""

from __future__ import annotations

import importlib
import os
import sys
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
            from silkway.interrupts import announce

            console_err.print(announce(), highlight=False)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=SilkwayGroup,
    name="silkway",
    help="Digital twin of the China–Europe land freight corridors through Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,  # click's plain help: no rich help renderer to import (start-up), choices still listed
)
PIPE_WIDTH = 200  # piped output (a file, grep, a notebook cell) is not cut to 80 columns


def _width(stream: object) -> int | None:
    """Rich's own width on a terminal or when COLUMNS is set; a wide page when piped, so no name is cut mid-word."""
    isatty = getattr(stream, "isatty", None)
    return None if (isatty and isatty()) or os.environ.get("COLUMNS") else PIPE_WIDTH


# User text (place names, file names, scenario names) is printed literally: no markup, no emoji codes. silkway's
# own styled words pass ``markup=True`` on their call, with any user value inside escaped by ``lit``.
console = Console(width=_width(sys.stdout), markup=False, emoji=False)
console_err = Console(stderr=True, width=_width(sys.stderr), markup=False, emoji=False)
lit = escape


def _version(value: bool) -> None:
    if value:
        from silkway import __version__

        typer.echo(f"silkway {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", help="Print the version and exit.", callback=_version,
                                       is_eager=True)) -> None:
    """Digital twin of the China–Europe land freight corridors through Kazakhstan."""


DATASET_HELP = "Dataset folder (default: the embedded 'eurasia' dataset)."
AS_OF_HELP = "The network as of this date, YYYY-MM-DD (default: the dataset's reference date)."


def Table(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - stands in for rich.table.Table
    """``rich.table.Table``, imported when a command first prints a table (not for ``--help``)."""
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


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
