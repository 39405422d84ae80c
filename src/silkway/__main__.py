"""``python -m silkway`` and the ``silkway`` command (pyproject ``[project.scripts]``).

The command line is imported inside :func:`main`, so Ctrl-C even while the libraries load is one line and exit 130
(no traceback); after Ctrl-C the process ends at once (:func:`silkway.interrupts.exit_interrupted`)."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from silkway.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:  # while the command line loads
        _interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # Ctrl-C in a command (the command group said so) or while typer builds the commands
            _interrupted()
        raise


def _interrupted() -> None:
    from silkway import interrupts

    if not interrupts.announced():
        sys.stderr.write(interrupts.announce() + "\n")
    interrupts.exit_interrupted()


if __name__ == "__main__":
    main()
