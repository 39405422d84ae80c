"""silkway invest from the command line: tables, the frontier PNG, resume, clear errors (no tracebacks)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from silkway.cli import app

runner = CliRunner()


def _args(invest_dir: Path, store: Path, *extra: str) -> list[str]:
    return ["invest", "--scenario", str(invest_dir / "scenario.yaml"), "--budget", "100", "-r", "3", "--days", "20",
            "--delta", "100", "--workers", "1", "--store", str(store), *extra]


def test_cli_prints_plan_and_writes_png(invest_dir: Path, tmp_path: Path) -> None:
    png = tmp_path / "frontier.png"
    res = runner.invoke(app, _args(invest_dir, tmp_path / "store", "--plot", str(png)))
    assert res.exit_code == 0, res.output
    out = res.output
    assert "selected: ferry" in out and "KN (Kim & Nelson 2001) over 6 candidates (enumeration)" in out
    assert "Efficient frontier" in out and "Build order" in out and "0 loaded from the store" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = runner.invoke(app, _args(invest_dir, tmp_path / "store"))  # resumes: nothing to simulate
    assert again.exit_code == 0 and re.search(r"(^|\s)0 simulations run, \d+ loaded from the store", again.output), again.output
    assert not re.search(r"(^|\s)0 simulations run", out)


def test_cli_errors_are_clear(invest_dir: Path, tmp_path: Path) -> None:
    from silkway.cli import main  # noqa: F401  (the entry point prints SilkwayErrors; here we check the messages)

    res = runner.invoke(app, _args(invest_dir, tmp_path / "s", "--objective", "happiness"))
    assert res.exit_code != 0 and "--objective" in res.output
    res = runner.invoke(app, _args(invest_dir, tmp_path / "s", "--objective", "npv"))
    assert res.exit_code == 1 and "invest_discount_rate" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, _args(invest_dir, tmp_path / "s", "--project", "teleporter"))
    assert res.exit_code == 1 and "unknown project id(s): teleporter" in res.output
