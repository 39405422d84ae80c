"""The ``silkway`` command. Each topic registers its commands from its own module, imported when one of its commands
runs (the table of commands and modules: ``_commands.py``), so ``silkway --help`` imports none of them; ``--help`` and
``--version`` as a process are printed without even importing typer."""

from __future__ import annotations

import sys

__all__ = ["app", "main"]


def main() -> None:
    """Entry point. Errors are printed by the command group (:class:`silkway.cli._app.SilkwayGroup`), no traceback."""
    if sys.argv[1:] in (["--version"], ["-V"]):  # what the root option prints (tests/unit/test_cli_light.py), sooner
        from silkway import __version__

        print(f"silkway {__version__}")
        return
    if sys.argv[1:] in (["--help"], ["-h"]):  # typer's overview help, from the table of commands (_commands.py)
        from silkway.cli._commands import overview_help

        print(overview_help(_prog_name()))
        return
    from silkway.cli._app import app

    app()


def _prog_name() -> str:
    """The program name click shows in usage: ``python -m silkway`` when run as a module, else the script's name."""
    import os

    package = getattr(sys.modules["__main__"], "__package__", None)
    if not package:
        return os.path.basename(sys.argv[0])
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    return f"python -m {(package if name == '__main__' else f'{package}.{name}').lstrip('.')}"


def __getattr__(name: str) -> object:
    if name == "app":  # the typer app, imported on first use
        from silkway.cli._app import app

        return app
    raise AttributeError(f"module 'silkway.cli' has no attribute {name!r}")
