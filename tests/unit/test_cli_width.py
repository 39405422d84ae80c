"""A command prints at the width of its own moment, also when an earlier command of the same process (tests, a
notebook) made the consoles: rich reads COLUMNS only when a console is made (found when the full suite ran in two
workers: a table's header folded at an earlier test's width)."""

from __future__ import annotations

from typer.testing import CliRunner

from silkway.cli import _app, app


def test_a_later_command_gets_its_own_width():
    first = CliRunner().invoke(app, ["places", "Xi"], env={"COLUMNS": "40"})
    assert first.exit_code == 0, first.output
    assert _app.console.width == 40
    second = CliRunner().invoke(app, ["places", "Xi"], env={"COLUMNS": "200"})
    assert second.exit_code == 0, second.output
    assert _app.console.width == 200 and _app.console_err.width == 200
