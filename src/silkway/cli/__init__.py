"""The ``silkway`` command. Each topic registers its commands from its own module."""

from __future__ import annotations

# Command modules register themselves on ``app`` when imported (one line per topic).
from silkway.cli import (
    capacity_cmds,  # noqa: F401
    conditions_cmds,  # noqa: F401
    import_cmds,  # noqa: F401
    invest_cmds,  # noqa: F401
    network_cmds,  # noqa: F401
    places_cmds,  # noqa: F401
    route_cmds,  # noqa: F401
    serve_cmds,  # noqa: F401
    simulate_cmds,  # noqa: F401
    sources_cmds,  # noqa: F401
    study_cmds,  # noqa: F401
)
from silkway.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point. Errors are printed by the command group (:class:`silkway.cli._app.SilkwayGroup`), no traceback."""
    app()
