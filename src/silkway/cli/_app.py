"""The typer app object and the shared consoles."""

from __future__ import annotations

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
