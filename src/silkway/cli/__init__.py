"""The ``silkway`` command. Each topic registers its commands from its own module, imported when one of its commands
runs (the table of commands and modules: ``_commands.py``), so ``silkway --help`` imports none of them."""

from __future__ import annotations

from silkway.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point. Errors are printed by the command group (:class:`silkway.cli._app.SilkwayGroup`), no traceback."""
    app()
