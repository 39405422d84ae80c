"""The typer app object and the shared consoles.

Start-up stays light: the command modules are imported when their command runs (:class:`SilkwayGroup`, table in
``_commands.py``), and rich's console is built when a command first prints (``console``, ``console_err`` and ``lit``
resolve on first use, PEP 562), so ``silkway --help`` and ``--version`` import typer only."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from silkway.cli import _coerce
from silkway.cli._commands import COMMANDS, ROOT_HELP
from silkway.errors import DataError, SilkwayError

_coerce.install()  # plain values coerced without importing pydantic (typer's adapters for the rest): start-up

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    console_err: Console


class SilkwayGroup(TyperGroup):
    """The command group: a :class:`SilkwayError` from any command (bad input) is printed as one clear error and
    exits 1, Ctrl-C exits 130 with one line; in-process runners (tests) see exactly what a user sees.

    Commands register lazily: the group lists every command of ``COMMANDS`` and imports a command's module only when
    that command is looked up to run (or to show its own help); the overview help uses the table's summaries."""

    _listing = False

    def list_commands(self, _ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, _ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            if self._listing:  # the overview help: the summary is enough, no import
                return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
            self._load(COMMANDS[cmd_name][0])
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if not args or args[0] in self.commands or args[0] in COMMANDS:
            return super().resolve_command(ctx, args)
        # an unknown name: typer suggests close matches among the group's commands, so offer it every name (none runs)
        loaded = self.commands
        self.commands = {**dict.fromkeys(COMMANDS), **self.commands}  # type: ignore[dict-item]  # names only, none runs
        try:
            return super().resolve_command(ctx, args)
        finally:
            self.commands = loaded

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def _load(self, module: str) -> None:
        """Import a command module (it registers its commands on ``app``) and add its click commands to the group."""
        import typer.main

        importlib.import_module(f"silkway.cli.{module}")
        for name, cmd in typer.main.get_group(app).commands.items():
            self.commands.setdefault(name, cmd)

    def invoke(self, ctx: Any) -> Any:  # typer vendors click: its Context class is private (typer._click)
        from rich.text import Text

        _rewidth()
        show_progress()
        console_err = _console("console_err")
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
    help=ROOT_HELP,
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


def _rewidth() -> None:
    """Give consoles made by an earlier command of this process (tests, a notebook) the width of this one: rich reads
    COLUMNS only when a console is made."""
    for name in ("console", "console_err"):
        c = globals().get(name)
        if c is not None:
            columns = os.environ.get("COLUMNS", "")
            c.width = int(columns) if columns.isdigit() else _width(sys.stderr if name == "console_err" else sys.stdout)


class _ProgressLine(logging.Handler):
    """The core's progress records (:mod:`silkway.progress`) as dim lines on standard error."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _console("console_err").print(f"[dim]{lit(record.getMessage())}…[/]", highlight=False, soft_wrap=True, markup=True)
        except Exception:  # a progress line never fails a command
            self.handleError(record)


def show_progress() -> None:
    """Show the core's progress records on standard error (once per process)."""
    from silkway.progress import PROGRESS

    if not any(isinstance(h, _ProgressLine) for h in PROGRESS.handlers):
        PROGRESS.addHandler(_ProgressLine())
        PROGRESS.setLevel(logging.INFO)
        PROGRESS.propagate = False


def lit(text: str) -> str:
    """User text escaped for a ``markup=True`` print (``rich.markup.escape``)."""
    from rich.markup import escape

    return escape(text)


def __getattr__(name: str) -> Any:
    """``console`` and ``console_err``, built on first use (a command printing), once.

    User text (place names, file names, scenario names) is printed literally: no markup, no emoji codes. silkway's
    own styled words pass ``markup=True`` on their call, with any user value inside escaped by ``lit``."""
    if name not in ("console", "console_err"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _console(name)


def _console(name: str) -> Console:
    if name not in globals():
        from rich.console import Console

        stderr = name == "console_err"
        globals()[name] = Console(stderr=stderr, width=_width(sys.stderr if stderr else sys.stdout), markup=False, emoji=False)
    return globals()[name]


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


def Table(*args: Any, **kwargs: Any) -> Any:
    """``rich.table.Table``, imported when a command first prints a table (not for ``--help``)."""
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


def skip_numba_blas_probe() -> None:
    """For a process that only runs the route planner's kernels: load numba's array implementations without their BLAS
    probe, which imports scipy.linalg (≈ 0.4 s of CPU, a fifth of ``silkway route``, benchmarks/RESULTS.md).

    Loading the first cached kernel makes numba import ``numba.np.arraymath``, whose import tries
    ``scipy.linalg.cython_blas`` only to choose, for ``np.convolve``/``np.correlate`` on floats, between BLAS's dot and
    a loop (``_HAVE_BLAS``); every other BLAS use (``np.dot``, ``np.linalg``) imports scipy itself when it compiles. The
    planner's kernels use none of them. The import of that one module is refused while arraymath loads, then allowed
    again (scipy itself loads normally afterwards). Only the command line calls this (its process ends with the command); the library and the server do not."""
    if "numba.np.arraymath" in sys.modules:
        return
    import numba  # numba itself first: arraymath is a part of it

    # importing scipy.linalg.cython_blas imports its packages first: refuse the first of them not yet loaded
    blocked = next((m for m in ("scipy", "scipy.linalg") if m not in sys.modules), None)
    if blocked:
        sys.modules[blocked] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        if blocked and sys.modules.get(blocked, 0) is None:
            del sys.modules[blocked]


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
