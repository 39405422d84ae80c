"""The ``silkway`` command. Each topic registers its commands from its own module, imported when one of its commands
runs (the table of commands and modules: ``_commands.py``), so ``silkway --help`` imports none of them, and
``silkway --version`` not even typer."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """Entry point. Errors are printed by the command group (:class:`silkway.cli._app.SilkwayGroup`), no traceback."""
    if sys.argv[1:] in (["--version"], ["-V"]):  # what the root option prints (tests/unit/test_cli_light.py), sooner
        from silkway import __version__

        print(f"silkway {__version__}")
        return
    from silkway.cli._app import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":  # the typer app, imported on first use
        from silkway.cli._app import app

        return app
    raise AttributeError(f"module 'silkway.cli' has no attribute {name!r}")
