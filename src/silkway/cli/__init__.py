"""The ``silkway`` command. Each topic registers its commands from its own module."""

from __future__ import annotations

import sys

# Command modules register themselves on ``app`` when imported (one line per topic).
from silkway.cli import (
    capacity_cmds,  # noqa: E402,F401
    invest_cmds,  # noqa: E402,F401
    network_cmds,  # noqa: E402,F401
    places_cmds,  # noqa: E402,F401
    route_cmds,  # noqa: E402,F401
    serve_cmds,  # noqa: E402,F401
    simulate_cmds,  # noqa: E402,F401
    sources_cmds,  # noqa: E402,F401
    study_cmds,  # noqa: E402,F401
)
from silkway.cli._app import app, console_err
from silkway.errors import DataError, SilkwayError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app; print SilkwayErrors cleanly and exit non-zero, no traceback."""
    try:
        app()
    except DataError as exc:
        console_err.print(f"[bold red]error:[/] {exc.source}: {len(exc.problems)} problem(s) found")
        for p in exc.problems:
            console_err.print(f"  - {p}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except SilkwayError as exc:
        console_err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
